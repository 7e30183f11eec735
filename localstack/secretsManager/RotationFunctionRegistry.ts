import type { Context } from 'aws-lambda';
import type { RotationStep } from '../../lib/constants.ts';
import { InvalidEmulatorOptionError } from './errors.ts';

/** The event Secrets Manager sends a rotation function (RotationToken included, unlike @types/aws-lambda's type). */
export interface RotationInvocationEvent {
  readonly Step: RotationStep;
  /** The secret's ARN. */
  readonly SecretId: string;
  /** The pending version's id: the idempotency key of the whole rotation. */
  readonly ClientRequestToken: string;
  /** Identifies this rotation to PutSecretValue; the emulator accepts and ignores it there. */
  readonly RotationToken: string;
}

/** Lambda's legacy completion callback: `callback(error)` fails the step, `callback(null)` completes it. */
export type RotationFunctionCallback = (error?: unknown, result?: unknown) => void;

/**
 * A Lambda handler as the emulator invokes it: a returned promise is awaited, a throw or rejection fails the step.
 * A handler that declares a third parameter and returns no promise completes when it calls the callback (as the Node.js
 * runtime did), so `Handler` from @types/aws-lambda is accepted too.
 */
export type RotationFunctionHandler = (
  event: RotationInvocationEvent,
  context: Context,
  callback: RotationFunctionCallback,
) => unknown;

export interface RegisterRotationFunctionOptions {
  /** How long one step may run before it fails as a Lambda timeout. @default the emulator's lambdaTimeoutMs (60 s) */
  readonly timeoutMs?: number;
  /** What `context.memoryLimitInMB` reports. @default '128' */
  readonly memoryLimitInMB?: string;
}

export interface RegisteredRotationFunction {
  /** The unqualified function ARN. */
  readonly arn: string;
  readonly functionName: string;
  readonly handler: RotationFunctionHandler;
  readonly timeoutMs: number | undefined;
  readonly memoryLimitInMB: string;
}

const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export interface ParsedFunctionArn {
  readonly unqualifiedArn: string;
  readonly functionName: string;
  readonly qualifier: string | undefined;
}

export const parseFunctionArn = (arn: string): ParsedFunctionArn | undefined => {
  const match = LAMBDA_ARN.exec(arn);
  if (!match) return undefined;
  const functionName = match[1] ?? '';
  const qualifier = match[2];
  return {
    unqualifiedArn: qualifier === undefined ? arn : arn.slice(0, -(qualifier.length + 1)),
    functionName,
    qualifier,
  };
};

/**
 * The rotation functions Secrets Manager may invoke, registered in-process by ARN (the emulator's stand-in for
 * Lambda). A qualified ARN (`:alias` / `:$LATEST`) resolves to the function registered under the unqualified ARN.
 */
export class RotationFunctionRegistry {
  readonly #functions = new Map<string, RegisteredRotationFunction>();

  register(arn: string, handler: RotationFunctionHandler, options: RegisterRotationFunctionOptions = {}): () => void {
    const parsed = parseFunctionArn(arn);
    if (parsed === undefined || parsed.qualifier !== undefined) {
      throw new TypeError(
        `registerRotationFunction needs an unqualified Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>), got ${JSON.stringify(arn)}`,
      );
    }
    if (typeof handler !== 'function') throw new TypeError('registerRotationFunction needs a handler function');
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new InvalidEmulatorOptionError('timeoutMs', `must be positive, got ${options.timeoutMs}`);
    }
    const registered: RegisteredRotationFunction = {
      arn,
      functionName: parsed.functionName,
      handler,
      timeoutMs: options.timeoutMs,
      memoryLimitInMB: options.memoryLimitInMB ?? '128',
    };
    this.#functions.set(arn, registered);
    return () => {
      if (this.#functions.get(arn) === registered) this.#functions.delete(arn);
    };
  }

  lookup(arn: string): RegisteredRotationFunction | undefined {
    const parsed = parseFunctionArn(arn);
    return parsed === undefined ? undefined : this.#functions.get(parsed.unqualifiedArn);
  }
}
