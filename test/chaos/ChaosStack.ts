import type { ClerkExchange } from '../../localstack/clerk/index.ts';
import { type FunctionCall, type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';
import { createSecretsManagerWire, type SecretsManagerWire } from './createSecretsManagerWire.ts';

/** What a run in progress wants to hear from the stack it borrows. */
export interface StackObserver {
  /** Before each outbound call of the rotation function (may await: the call waits). */
  onFunctionCall(call: FunctionCall): Promise<void>;
  /** After the Clerk emulator handled (or dropped) a request. */
  onClerkExchange(exchange: ClerkExchange): void;
}

export interface ChaosStack {
  readonly stack: LocalStack;
  /** The test's own keep-alive line to the Secrets Manager emulator (no faults are ever armed for it). */
  readonly wire: SecretsManagerWire;
  /** Every log line of the rotation function since the last `takeLogs()`. */
  takeLogs(): string[];
  /** The run that receives the hooks; one at a time. */
  observer: StackObserver | undefined;
  close(): Promise<void>;
}

export interface ChaosStackOptions {
  /** Per-request timeout of the function towards Secrets Manager; needed for `timeout` faults. */
  readonly functionSdkRequestTimeoutMs?: number;
  readonly seed?: number;
}

/**
 * The Lambda timeout the function runs with. The handler keeps 3 s back, so each invocation has 450 ms of budget on
 * the frozen manual clock: Clerk requests time out after 450 ms of real time, retries back off 1–5 ms, and
 * testSecret does not wait 0.5 s for a key to propagate (the wait would not fit): a dead pending key fails the
 * invocation at once, and Secrets Manager's re-attempts — the thing under test — take over without real-time waits.
 * A clock jump in the middle of an invocation puts it past its deadline, as a stalled Lambda would be.
 */
export const CHAOS_LAMBDA_TIMEOUT_MS = 3_450;

/**
 * One local stack shared by every run of a property (starting emulators per run costs more than a run): manual
 * clock, no rate limit (its window would never move on the manual clock), one SDK attempt per call in the function
 * (every Secrets Manager fault fails the invocation at that call, like a crash there), and one attempt per
 * RotateSecret: a failed rotation stays pending, and the schedule decides what happens before Secrets Manager
 * re-attempts it (a `reattempt` action, or the end of the run).
 */
export async function startChaosStack(options: ChaosStackOptions = {}): Promise<ChaosStack> {
  let logs: string[] = [];
  let observer: StackObserver | undefined;
  const stack = await startLocalStack({
    clock: 'manual',
    rateLimit: false,
    seed: options.seed ?? 1,
    rotation: 'sync',
    rotationMaxAttempts: 1,
    lambdaTimeoutMs: CHAOS_LAMBDA_TIMEOUT_MS,
    functionSdkMaxAttempts: 1,
    ...(options.functionSdkRequestTimeoutMs === undefined
      ? {}
      : { functionSdkRequestTimeoutMs: options.functionSdkRequestTimeoutMs }),
    clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    writeLog: (line) => logs.push(line),
    onClerkExchange: (exchange) => observer?.onClerkExchange(exchange),
    beforeFunctionCall: async (call) => {
      await observer?.onFunctionCall(call);
    },
  });
  const wire = createSecretsManagerWire(stack.secretsManager.endpoint);
  return {
    stack,
    wire,
    takeLogs() {
      const taken = logs;
      logs = [];
      return taken;
    },
    get observer() {
      return observer;
    },
    set observer(next) {
      observer = next;
    },
    async close() {
      wire.close();
      await stack.close();
    },
  };
}
