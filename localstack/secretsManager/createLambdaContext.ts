import type { Context } from 'aws-lambda';
import type { Clock } from '../common/Clock.ts';
import type { RegisteredRotationFunction } from './RotationFunctionRegistry.ts';

export interface LambdaContextRequest {
  readonly fn: RegisteredRotationFunction;
  /** The ARN Secrets Manager was configured with (possibly qualified). */
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  readonly timeoutMs: number;
  /** Wall time: `getRemainingTimeInMillis()` counts real milliseconds, like Lambda, whatever the emulator's clock says. */
  readonly wallClock: Clock;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A complete Lambda `Context` for one invocation. */
export const createLambdaContext = (request: LambdaContextRequest): Context => {
  const startedAt = request.wallClock.now();
  const deadline = startedAt + request.timeoutMs;
  const day = new Date(startedAt);
  const streamDate = `${day.getUTCFullYear()}/${pad(day.getUTCMonth() + 1)}/${pad(day.getUTCDate())}`;
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is a callback-style API; rotation handlers must return a promise`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: request.fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: request.invokedFunctionArn,
    memoryLimitInMB: request.fn.memoryLimitInMB,
    awsRequestId: request.awsRequestId,
    logGroupName: `/aws/lambda/${request.fn.functionName}`,
    logStreamName: `${streamDate}/[$LATEST]${request.awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - request.wallClock.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};
