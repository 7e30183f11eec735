import { SimulatedError } from '../../localstack/secretsManager/index.ts';
import type { FunctionCall, LocalStack } from '../../localstack/startLocalStack.ts';
import type { FaultKind } from './scheduleArbitrary.ts';

/** Longer than both callers wait (450 ms towards Clerk, see ChaosStack; 200 ms towards Secrets Manager). */
export const TIMEOUT_LATENCY_MS = 700;

/**
 * Arms one fault for exactly the call the rotation function is about to make (called from `beforeFunctionCall`,
 * right before the request leaves). Emulator faults are one-shot and per operation, so the very next request of
 * that operation — this one — takes it.
 *
 * | kind     | Clerk                                   | Secrets Manager                         |
 * | -------- | --------------------------------------- | --------------------------------------- |
 * | fail     | 503, not processed                      | InternalServiceError (500)              |
 * | reset    | connection closed before processing     | connection closed before processing     |
 * | lost     | processed, connection closed (no reply) | processed, connection closed (no reply) |
 * | throttle | 429 with Retry-After: 0, not processed  | ThrottlingException                     |
 * | garbled  | 200 with an HTML body, not processed    | 503 ServiceUnavailable                  |
 * | timeout  | held 700 ms, then processed             | held 700 ms, then processed             |
 */
export function armFault(stack: LocalStack, call: FunctionCall, kind: FaultKind): void {
  const op = call.operation;
  if (call.service === 'clerk') {
    const faults = stack.clerk.faults;
    if (kind === 'fail') faults.failNext(op, { status: 503 });
    else if (kind === 'reset') faults.dropBeforeProcessing(op);
    else if (kind === 'lost') faults.dropAfterProcessing(op);
    else if (kind === 'throttle') faults.failNext(op, { status: 429, retryAfterSeconds: 0 });
    else if (kind === 'garbled') {
      faults.respondWith(op, {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html><body>502 Bad Gateway</body></html>',
      });
    } else faults.addLatency(op, TIMEOUT_LATENCY_MS, { times: 1 });
    return;
  }
  const faults = stack.secretsManager.faults;
  if (kind === 'fail') faults.failNext(op, SimulatedError.internal);
  else if (kind === 'reset') faults.dropBeforeProcessing(op);
  else if (kind === 'lost') faults.dropAfterProcessing(op);
  else if (kind === 'throttle') faults.failNext(op, SimulatedError.throttling);
  else if (kind === 'garbled') {
    faults.failNext(op, { code: 'ServiceUnavailable', status: 503, message: 'Service Unavailable' });
  } else faults.addLatency(op, TIMEOUT_LATENCY_MS, { times: 1 });
}
