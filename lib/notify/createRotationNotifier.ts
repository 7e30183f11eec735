import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { sendWithTimeout } from '../aws/sendWithTimeout.ts';
import type { RotationNotificationResult, RotationNotifier } from '../core/RotationNotifier.ts';
import { describeValue } from '../describeValue.ts';
import { ConfigError } from '../errors.ts';
import type { LogFields, Logger } from '../Logger.ts';
import { type MachineKeyRotatedEvent, parseMachineKeyRotatedEvent } from '../MachineKeyRotatedEvent.ts';
import { isLambdaFunctionArn, ROTATION_NOTIFY_FUNCTION_ARNS } from './parseNotifyFunctionArns.ts';

export { ROTATION_NOTIFY_FUNCTION_ARNS };

/** The metric counted once per function that could not be notified. */
export const ROTATION_NOTIFICATION_FAILED_METRIC = 'RotationNotificationFailed';

export interface RotationNotifierOptions {
  readonly client: LambdaClient;
  /** Full function ARNs, usually from parseNotifyFunctionArns(env.ROTATION_NOTIFY_FUNCTION_ARNS). */
  readonly functionArns: readonly string[];
  readonly logger: Pick<Logger, 'debug' | 'warn' | 'metric'>;
  /** Longest wait for one Invoke call; an asynchronous invoke normally answers in tens of ms. @default 3000 */
  readonly timeoutMs?: number;
}

export type { RotationNotificationResult, RotationNotifier };

type NotifierLogger = RotationNotifierOptions['logger'];
type EventFields = Pick<LogFields, 'secretArn' | 'versionId' | 'machineId'>;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

function assertFunctionArns(functionArns: readonly string[]): void {
  for (const arn of functionArns) {
    if (!isLambdaFunctionArn(arn)) {
      throw new ConfigError(
        ROTATION_NOTIFY_FUNCTION_ARNS,
        `every entry must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>), got ${describeValue(arn)}`,
      );
    }
  }
}

/** One asynchronous Invoke (InvocationType Event); throws unless Lambda queued the event. */
async function invokeAsynchronously(
  client: LambdaClient,
  functionArn: string,
  payload: Uint8Array,
  timeoutMs: number,
): Promise<void> {
  const output = await sendWithTimeout(
    (abortSignal) =>
      client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: payload }), {
        abortSignal,
      }),
    timeoutMs,
  );
  // An accepted asynchronous invocation answers 202; anything else means the event was not queued.
  if (output.StatusCode !== 202) {
    throw Object.assign(new Error(`Invoke answered ${output.StatusCode ?? 'no status'} instead of 202`), {
      name: 'UnexpectedInvokeStatus',
    });
  }
}

/** Logs and counts each function that could not be notified; returns which were and which were not. */
function reportInvocations(
  functionArns: readonly string[],
  settled: readonly PromiseSettledResult<void>[],
  fields: EventFields,
  logger: NotifierLogger,
): RotationNotificationResult {
  const notified: string[] = [];
  const failed: string[] = [];
  settled.forEach((result, index) => {
    const functionArn = functionArns[index] as string;
    if (result.status === 'fulfilled') {
      notified.push(functionArn);
      return;
    }
    failed.push(functionArn);
    const code = errorName(result.reason);
    // The SDK's messages name the function and the missing permission, never the payload.
    logger.warn(
      `rotation notification to ${functionArn} failed (${code}); the consumer will pick the key up on its next refresh`,
      { ...fields, outcome: 'notify-failed', errorCode: code },
    );
    logger.metric(ROTATION_NOTIFICATION_FAILED_METRIC, 1, { ...fields, errorCode: code });
  });
  if (notified.length > 0) {
    logger.debug(`rotation notification queued for ${notified.length} function(s)`, {
      ...fields,
      outcome: 'notified',
    });
  }
  return { notified, failed };
}

/**
 * Best-effort "the key changed" notifications to consumer functions (InvocationType Event: Lambda queues the event
 * and answers 202; the consumer's own failures never reach the rotation). A notification only shortens the time a
 * consumer keeps the previous key: consumers must still refresh on their own schedule, so nothing here may fail a
 * rotation.
 */
export function createRotationNotifier(options: RotationNotifierOptions): RotationNotifier {
  const { client, logger } = options;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const functionArns = [...new Set(options.functionArns)];
  assertFunctionArns(functionArns);

  return {
    async notify(event) {
      if (functionArns.length === 0) return { notified: [], failed: [] };
      let valid: MachineKeyRotatedEvent;
      try {
        valid = parseMachineKeyRotatedEvent(event);
      } catch (error) {
        logger.warn(`rotation notification not sent: ${(error as Error).message}`, {
          outcome: 'notify-failed',
          errorCode: errorName(error),
        });
        logger.metric(ROTATION_NOTIFICATION_FAILED_METRIC, functionArns.length);
        return { notified: [], failed: functionArns };
      }
      const payload = new TextEncoder().encode(JSON.stringify(valid));
      const settled = await Promise.allSettled(
        functionArns.map((arn) => invokeAsynchronously(client, arn, payload, timeoutMs)),
      );
      const fields = { secretArn: valid.secretId, versionId: valid.versionId, machineId: valid.machineId };
      return reportInvocations(functionArns, settled, fields, logger);
    },
  };
}
