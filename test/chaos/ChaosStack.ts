import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClerkExchange } from '../../localstack/clerk/index.ts';
import {
  type FunctionCall,
  type LocalStack,
  type StackRotationHandler,
  startLocalStack,
} from '../../localstack/startLocalStack.ts';
import { createSecretsManagerWire, type SecretsManagerWire } from '../support/createSecretsManagerWire.ts';

/** An outbound call of the rotation function, with the invocation (step, token, a number of its own) making it. */
export interface InvocationCall extends FunctionCall {
  readonly token: string | undefined;
  /** Tells apart two invocations of one step for one token (a duplicate delivery). */
  readonly invocation: number | undefined;
}

/** What a run in progress wants to hear from the stack it borrows. */
export interface StackObserver {
  /** Before each outbound call of the rotation function (may await: the call waits). */
  onFunctionCall(call: InvocationCall): Promise<void>;
  /** After the Clerk emulator handled (or dropped) a request. */
  onClerkExchange(exchange: ClerkExchange): void;
}

export interface ChaosStack {
  readonly stack: LocalStack;
  /** The test's own keep-alive line to the Secrets Manager emulator (no faults are ever armed for it). */
  readonly wire: SecretsManagerWire;
  /** Every log line of the rotation function and the verification since the last `takeLogs()`. */
  takeLogs(): string[];
  /** The run that receives the hooks; one at a time. */
  observer: StackObserver | undefined;
  close(): Promise<void>;
}

/**
 * How long the function waits for Clerk and for Secrets Manager before it gives up on a call (real time: timeouts
 * are the one thing that costs a schedule real waiting). Long enough that a loaded runner seldom times out on its
 * own — a spurious timeout is one more fault, which every invariant must survive anyway.
 */
export const CLIENT_TIMEOUT_MS = 250;
/** What the handler keeps back from the Lambda's remaining time (its default). */
const HANDLER_MARGIN_MS = 3_000;
/**
 * Each invocation's budget on the frozen manual clock. createSecret needs room to send a rotate (its whole client
 * timeout, a reconcile read and the store calls); every other step gets less than testSecret's first 0.5 s wait for
 * a key to propagate (the emulator needs none, and it would be real waiting): a rejected pending key fails the
 * invocation at once and Secrets Manager's re-attempts — the thing under test — take over. A clock jump inside an
 * invocation puts it past its deadline, as a stalled Lambda would be.
 */
const STEP_BUDGET_MS = { createSecret: 2 * CLIENT_TIMEOUT_MS + 1_000 + 100, other: 450 } as const;

export interface ChaosStackOptions {
  readonly seed?: number;
}

/**
 * One local stack shared by every run of a shard (starting emulators per run costs more than a run): manual clock,
 * no rate limit (its window would never move on the manual clock), one SDK attempt per call in the function (every
 * Secrets Manager fault fails the invocation at that call, like a crash there), and one attempt per RotateSecret: a
 * failed rotation stays pending, and the schedule decides when Secrets Manager re-attempts it. Rotations run
 * asynchronously, as in AWS (a run awaits `rotationsIdle()`), so the function's own RotateSecret (finishSecret's
 * healing) returns at once. Every invocation runs in an AsyncLocalStorage scope, so a hook knows the step and token
 * of the call it precedes, duplicates and nested rotations included.
 */
export async function startChaosStack(options: ChaosStackOptions = {}): Promise<ChaosStack> {
  let logs: string[] = [];
  let observer: StackObserver | undefined;
  const invocation = new AsyncLocalStorage<{ readonly step: string; readonly token: string; readonly id: number }>();
  let invocations = 0;
  const budgeted =
    (handler: StackRotationHandler): StackRotationHandler =>
    (event, context) => {
      const budget = event.Step === 'createSecret' ? STEP_BUDGET_MS.createSecret : STEP_BUDGET_MS.other;
      invocations += 1;
      return invocation.run({ step: event.Step, token: event.ClientRequestToken, id: invocations }, () =>
        handler(event, {
          invokedFunctionArn: context.invokedFunctionArn,
          getRemainingTimeInMillis: () => HANDLER_MARGIN_MS + budget,
        }),
      );
    };
  const stack = await startLocalStack({
    clock: 'manual',
    rateLimit: false,
    seed: options.seed ?? 1,
    rotation: 'async',
    rotationMaxAttempts: 1,
    lambdaTimeoutMs: 60_000,
    functionSdkMaxAttempts: 1,
    functionSdkRequestTimeoutMs: CLIENT_TIMEOUT_MS,
    clerkRequestTimeoutMs: CLIENT_TIMEOUT_MS,
    clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    wrapHandler: budgeted,
    writeLog: (line) => logs.push(line),
    onClerkExchange: (exchange) => observer?.onClerkExchange(exchange),
    beforeFunctionCall: async (call) => {
      const scope = invocation.getStore();
      await observer?.onFunctionCall({
        ...call,
        step: scope?.step ?? call.step,
        token: scope?.token,
        invocation: scope?.id,
      });
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
