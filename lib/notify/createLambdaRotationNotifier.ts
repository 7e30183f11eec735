import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  createRotationNotifier,
  type RotationNotifier,
  type RotationNotifierOptions,
} from './createRotationNotifier.ts';

export interface LambdaRotationNotifierOptions extends Omit<RotationNotifierOptions, 'client'> {
  /** @default a LambdaClient configured from the environment */
  readonly client?: LambdaClient | undefined;
}

/**
 * The rotation function's notifier, with a Lambda client of its own unless one is given. The function imports this
 * module dynamically, only when ROTATION_NOTIFY_FUNCTION_ARNS is set: a bundler then keeps @aws-sdk/client-lambda
 * (just LambdaClient and InvokeCommand, as the imports here are static) off the cold-start path.
 */
export function createLambdaRotationNotifier(options: LambdaRotationNotifierOptions): RotationNotifier {
  return createRotationNotifier({ ...options, client: options.client ?? new LambdaClient({}) });
}
