import { createVerifyHandler } from '../../lambda/verify.ts';
import type { VerificationCursor, VerificationRunSummary } from '../../lib/verification/runVerification.ts';
import type { LocalStack } from '../../localstack/startLocalStack.ts';
import { type AdvanceableClock, createQuiescentTime } from './createQuiescentTime.ts';

/** Lambda's longest timeout: what each invocation of the verification has unless told otherwise. */
export const LAMBDA_MAX_TIMEOUT_MS = 900_000;

export interface StackVerificationRun extends VerificationRunSummary {
  /** The first invocation and each continuation it handed on. */
  readonly invocations: number;
}

/**
 * One scheduled verification run — the real handler of lambda/verify.ts with a real SDK client and fetch — over the
 * stack's secrets, in quiescent time (see createQuiescentTime): what `LocalStack.verify()` does, with waits that
 * stamp paced calls at their slots. A run that hands on (a cursor) continues here at once, as its asynchronous
 * invocation would.
 */
export async function runVerificationOnStack(
  stack: LocalStack,
  env: Readonly<Record<string, string>>,
  options: { readonly invocationMs?: number; readonly writeLog?: (line: string) => void } = {},
): Promise<StackVerificationRun> {
  const invocationMs = options.invocationMs ?? LAMBDA_MAX_TIMEOUT_MS;
  const time = createQuiescentTime(stack.clock as AdvanceableClock);
  const client = stack.secretsManager.createClient();
  time.track(client);
  const cursors: VerificationCursor[] = [];
  const handler = createVerifyHandler({
    secretsManager: client,
    fetch: time.fetch,
    env: { ...stack.environment(), ...env },
    clock: time.clock,
    sleep: time.sleep,
    writeLog: options.writeLog ?? (() => {}),
    continueRun: async (_, cursor) => {
      cursors.push(cursor);
    },
  });
  const context = { invokedFunctionArn: `${stack.functionArn}-verify`, getRemainingTimeInMillis: () => invocationMs };
  try {
    let verified = 0;
    let invocations = 0;
    const counts: Record<string, number> = {};
    for (let event: unknown = {}; event !== undefined; ) {
      const run = await handler(event, context);
      invocations += 1;
      verified += run.verified;
      for (const [key, value] of Object.entries(run.counts)) counts[key] = (counts[key] ?? 0) + value;
      const cursor = cursors.shift();
      event = cursor === undefined ? undefined : { continuation: cursor };
    }
    return { verified, counts, invocations };
  } finally {
    client.destroy();
  }
}
