import { SimulatedError } from '../../localstack/secretsManager/index.ts';
import type { FunctionCall, LocalStack } from '../../localstack/startLocalStack.ts';
import { CLIENT_TIMEOUT_MS } from './ChaosStack.ts';
import type { FaultKind } from './schedule.ts';

/** Longer than the function waits for either service, so a held call has been given up on when it ends. */
const PAST_CLIENT_TIMEOUT_MS = CLIENT_TIMEOUT_MS + 50;
/** How long an answered-at-once call waits before it is processed when it lands "at once" (real time). */
const FORWARD_DELAY_MS = 5;

export const ROTATE_OPERATION = 'rotateMachineSecretKey';

export interface ArmedFault {
  /**
   * Set when the call is a Clerk rotate that must be processed later on the emulated clock: the emulator's late
   * landings wait in real time, so the run holds the rotate and lands it itself when its clock reaches this delay.
   */
  readonly holdRotateMs?: number;
}

/**
 * Arms one fault for exactly the call the rotation function is about to make (called from `beforeFunctionCall`,
 * right before the request leaves). Emulator faults are one-shot and per operation, so the very next request of
 * that operation — this one — takes it.
 *
 * | kind          | Clerk                                            | Secrets Manager                                |
 * | ------------- | ------------------------------------------------ | ---------------------------------------------- |
 * | fail          | 503, not processed                               | InternalServiceError (500)                     |
 * | reset         | connection closed before processing              | connection closed before processing            |
 * | lost          | processed, connection closed (no reply)          | processed, connection closed (no reply)        |
 * | throttle      | 429 with Retry-After: 0, not processed           | ThrottlingException                            |
 * | garbled       | 200 with an HTML body, not processed             | 503 ServiceUnavailable                         |
 * | timeout       | held past the client's timeout, never processed  | held past the client's timeout, never processed |
 * | late +0       | `landLate`: processed once the client gave up    | the same                                       |
 * | late +d       | the client gives up; a rotate lands d later      | processed once the client gave up              |
 * | gateway +0    | `answerNowProcessLater`: 504 now, processed next | the same (504, then processed)                 |
 * | gateway +d    | 504 now; a rotate lands d later                  | 504 now, processed at once after               |
 *
 * A read that lands later changes nothing, so only a rotate is held for d on the emulated clock; a Secrets
 * Manager call can only land in real time (the harness cannot replay the SDK's request), so it lands at once.
 */
export function armFault(
  stack: LocalStack,
  call: FunctionCall,
  kind: FaultKind,
  landAfterMs: number | undefined,
): ArmedFault {
  const op = call.operation;
  const deferred = landAfterMs !== undefined && landAfterMs > 0 && call.service === 'clerk';
  const faults = call.service === 'clerk' ? stack.clerk.faults : stack.secretsManager.faults;
  switch (kind) {
    case 'fail':
      if (call.service === 'clerk') faults.failNext(op, { status: 503 });
      else faults.failNext(op, SimulatedError.internal);
      return {};
    case 'reset':
      faults.dropBeforeProcessing(op);
      return {};
    case 'lost':
      faults.dropAfterProcessing(op);
      return {};
    case 'throttle':
      if (call.service === 'clerk') faults.failNext(op, { status: 429, retryAfterSeconds: 0 });
      else faults.failNext(op, SimulatedError.throttling);
      return {};
    case 'garbled':
      if (call.service === 'clerk') {
        faults.respondWith(op, {
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: '<html><body>502 Bad Gateway</body></html>',
        });
      } else faults.failNext(op, { code: 'ServiceUnavailable', status: 503, message: 'Service Unavailable' });
      return {};
    case 'timeout':
      faults.addLatency(op, PAST_CLIENT_TIMEOUT_MS, { times: 1 });
      faults.dropBeforeProcessing(op);
      return {};
    case 'late':
      if (!deferred) {
        faults.landLate(op, { afterMs: PAST_CLIENT_TIMEOUT_MS });
        return {};
      }
      faults.addLatency(op, PAST_CLIENT_TIMEOUT_MS, { times: 1 });
      faults.dropBeforeProcessing(op);
      return op === ROTATE_OPERATION ? { holdRotateMs: landAfterMs } : {};
    case 'gateway':
      if (!deferred) {
        faults.answerNowProcessLater(op, { afterMs: FORWARD_DELAY_MS, status: 504 });
        return {};
      }
      faults.failNext(op, { status: 504 });
      return op === ROTATE_OPERATION ? { holdRotateMs: landAfterMs } : {};
  }
}
