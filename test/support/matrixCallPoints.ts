import { SimulatedError } from '../../localstack/secretsManager/index.ts';
import type { FunctionCall, LocalStack } from '../../localstack/startLocalStack.ts';

/**
 * The fault matrix's axes: every outbound call a clean rotation makes (in the order it makes them) and every way
 * one call can fail. A cell is one call point × one fault kind.
 */

export interface CallPoint {
  readonly step: string;
  readonly service: FunctionCall['service'];
  readonly operation: string;
  /** 1 for the first call of this operation within the step. */
  readonly ordinal: number;
  readonly what: string;
}

const point = (
  step: string,
  service: FunctionCall['service'],
  operation: string,
  ordinal: number,
  what: string,
): CallPoint => ({ step, service, operation, ordinal, what });

/** A clean rotation's outbound calls, in order (a test checks this list against a recorded clean rotation). */
export const CALL_POINTS: readonly CallPoint[] = [
  point('createSecret', 'secretsmanager', 'DescribeSecret', 1, 'preamble'),
  point('createSecret', 'secretsmanager', 'GetSecretValue', 1, 'pending staged?'),
  point('createSecret', 'secretsmanager', 'GetSecretValue', 2, 'read AWSCURRENT'),
  point('createSecret', 'secretsmanager', 'GetSecretValue', 3, 'read instance key'),
  point('createSecret', 'clerk', 'getMachineSecretKey', 1, 'reconcile'),
  point('createSecret', 'secretsmanager', 'TagResource', 1, 'record the rotate'),
  point('createSecret', 'secretsmanager', 'DescribeSecret', 2, 'lock: read records again'),
  point('createSecret', 'clerk', 'rotateMachineSecretKey', 1, 'rotate'),
  point('createSecret', 'secretsmanager', 'PutSecretValue', 1, 'stage pending'),
  point('setSecret', 'secretsmanager', 'DescribeSecret', 1, 'preamble'),
  point('setSecret', 'secretsmanager', 'GetSecretValue', 1, 'confirm pending'),
  point('testSecret', 'secretsmanager', 'DescribeSecret', 1, 'preamble'),
  point('testSecret', 'secretsmanager', 'GetSecretValue', 1, 'read pending'),
  point('testSecret', 'clerk', 'listM2MTokens', 1, 'prove pending key'),
  point('testSecret', 'secretsmanager', 'GetSecretValue', 2, 'read AWSCURRENT (test-only run?)'),
  point('finishSecret', 'secretsmanager', 'DescribeSecret', 1, 'preamble'),
  point('finishSecret', 'secretsmanager', 'GetSecretValue', 1, 'read pending'),
  point('finishSecret', 'secretsmanager', 'GetSecretValue', 2, 'read instance key'),
  point('finishSecret', 'clerk', 'getMachineSecretKey', 1, 'last check: still Clerk’s key?'),
  point('finishSecret', 'secretsmanager', 'UpdateSecretVersionStage', 1, 'move AWSCURRENT'),
  point('finishSecret', 'secretsmanager', 'UpdateSecretVersionStage', 2, 'remove AWSPENDING'),
];

/**
 * - `fail-before-send`: the connection drops before the service processed anything (for Clerk's rotate the client
 *   cannot know that: a network error is ambiguous);
 * - `5xx`: an error answer, unprocessed (Clerk's 503 envelope; Secrets Manager's InternalServiceError);
 * - `429`: rate limited, unprocessed (Clerk: Retry-After 1 s; Secrets Manager: ThrottlingException);
 * - `timeout`: processed after the client gave up (latency longer than the client's timeout);
 * - `lost-response`: processed, the answer never arrives.
 */
export const FAULT_KINDS = ['fail-before-send', '5xx', '429', 'timeout', 'lost-response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The function's per-request timeout towards both services in the matrix (real ms). */
export const MATRIX_CLIENT_TIMEOUT_MS = 200;
/** The latency of a `timeout` fault: the call is processed this long (real ms) after it arrived. */
export const MATRIX_LATENCY_MS = 600;

export const describePoint = (p: CallPoint): string => `${p.service} ${p.operation}#${p.ordinal} (${p.what})`;

/** Arms `kind` for the next call of `point`'s operation on the stack's emulator (called right before that call). */
export function armFault(stack: LocalStack, p: CallPoint, kind: FaultKind): void {
  const op = p.operation;
  if (p.service === 'clerk') {
    const faults = stack.clerk.faults;
    if (kind === 'fail-before-send') faults.dropBeforeProcessing(op);
    else if (kind === '5xx') faults.failNext(op, { status: 503, code: 'service_unavailable' });
    else if (kind === '429') faults.failNext(op, { status: 429, retryAfterSeconds: 1 });
    else if (kind === 'timeout') faults.addLatency(op, MATRIX_LATENCY_MS, { times: 1 });
    else faults.dropAfterProcessing(op);
    return;
  }
  const faults = stack.secretsManager.faults;
  if (kind === 'fail-before-send') faults.dropBeforeProcessing(op);
  else if (kind === '5xx') faults.failNext(op, SimulatedError.internal);
  else if (kind === '429') faults.failNext(op, SimulatedError.throttling);
  else if (kind === 'timeout') faults.addLatency(op, MATRIX_LATENCY_MS, { times: 1 });
  else faults.dropAfterProcessing(op);
}

/**
 * Counts the function's calls within one step invocation and says when the call `target` names is about to leave,
 * only the first time: a cell's fault hits that one call of the first attempt that reaches it.
 */
export class CallCounter {
  readonly #target: CallPoint;
  readonly #seen = new Map<string, number>();
  #reached = false;

  constructor(target: CallPoint) {
    this.#target = target;
  }

  get reached(): boolean {
    return this.#reached;
  }

  /** A step invocation starts: counting restarts, also when the same step runs again (a re-attempt). */
  stepStarted(): void {
    this.#seen.clear();
  }

  /** Counts `call`; true exactly once, for the target call. */
  isTarget(call: FunctionCall): boolean {
    const key = `${call.service}:${call.operation}`;
    const count = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, count);
    const t = this.#target;
    const isTarget =
      !this.#reached &&
      call.step === t.step &&
      call.service === t.service &&
      call.operation === t.operation &&
      count === t.ordinal;
    if (isTarget) this.#reached = true;
    return isTarget;
  }
}
