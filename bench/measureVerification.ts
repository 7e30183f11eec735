import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { EnvVar, TagKey } from '../lib/constants.ts';
import { type LocalStack, startLocalStack } from '../localstack/startLocalStack.ts';
import { forEachBounded } from './measureFleet.ts';
import { peakPerWindow } from './peakPerWindow.ts';
import { runVerificationOnStack } from './verification/runVerificationOnStack.ts';

export interface VerificationOptions {
  /** @default 10_000 */
  readonly machines?: number;
  /** CLERK_RATE_LIMIT_PER_10_SECONDS, and the limit the Clerk emulator enforces. @default 1000 (production) */
  readonly clerkRateLimitPer10Seconds?: number;
  /** VERIFY_CLERK_RATE_SHARE. @default 0.1 */
  readonly clerkRateShare?: number;
  /** Each invocation's Lambda timeout (the run hands on 30 s before it). @default 900_000, Lambda's maximum */
  readonly invocationMs?: number;
}

export interface VerificationMeasurement {
  readonly machines: number;
  readonly clerkRateLimitPer10Seconds: number;
  readonly clerkRateShare: number;
  /** What the share allows in any 10 s: limit × share. */
  readonly allowedPer10Seconds: number;
  /** Real time of the whole run (every invocation), set-up excluded. */
  readonly wallMs: number;
  /** The stack's clock over the run: moved only by the verification's own pacing waits, so what AWS would take. */
  readonly stackMs: number;
  /** Invocations of the verification function: the first and each continuation it handed the rest to. */
  readonly invocations: number;
  readonly verified: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly clerkCalls: number;
  readonly clerkCallsByOperation: Readonly<Record<string, number>>;
  readonly clerk429s: number;
  /** The most Clerk calls in any 10 s of the stack's clock (sliding window). */
  readonly peakClerkCallsPer10Seconds: number;
  readonly awsCalls: number;
  readonly awsCallsByOperation: Readonly<Record<string, number>>;
}

/** Machines and their secrets, rotation enabled with `functionArn` (set-up: its testSecret does nothing). */
async function addMachines(stack: LocalStack, count: number, functionArn: string): Promise<void> {
  const indexes = Array.from({ length: count }, (_, index) => index);
  await forEachBounded(indexes, 16, async (index) => {
    const machine = stack.clerk.createMachine({ name: `verify-${String(index).padStart(5, '0')}` });
    const name = `clerk/machines/${machine.name}`;
    await stack.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({ machineId: machine.id, secretKey: machine.secretKey }),
        Tags: [{ Key: TagKey.machineId, Value: machine.id }],
      }),
    );
    await stack.client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: false,
      }),
    );
  });
}

/**
 * One scheduled verification run (lambda/verify.ts, the real handler) over `machines` machine secrets, all in sync,
 * with Clerk's production limit at a 10 % share, in quiescent time (verification/createQuiescentTime.ts): the
 * emulators' clock moves only when every call has returned and the run waits on its pacing, so the stack's time is
 * what the run would take in AWS (latency aside) and the wall time is this machine's CPU. The secrets' rotation is enabled with a stand-in function ARN (set-up only: a real testSecret per machine
 * would cost more than the run); the verification is pointed at that ARN. Each invocation has Lambda's 15 minutes.
 */
export async function measureVerification(options: VerificationOptions = {}): Promise<VerificationMeasurement> {
  const machines = options.machines ?? 10_000;
  const limit = options.clerkRateLimitPer10Seconds ?? 1000;
  const share = options.clerkRateShare ?? 0.1;
  const stack = await startLocalStack({ clock: 'manual', rateLimit: { limit, windowMs: 10_000 } });
  try {
    const functionArn = stack.secretsManager.functionArn('bench-verified-rotator');
    stack.secretsManager.registerRotationFunction(functionArn, async () => {});
    await addMachines(stack, machines, functionArn);
    stack.clerk.audit.clear();
    stack.secretsManager.audit.clear();
    const stackStarted = stack.clock.now();
    const started = performance.now();
    const run = await runVerificationOnStack(
      stack,
      {
        [EnvVar.rotationFunctionArn]: functionArn,
        [EnvVar.clerkRateLimitPer10Seconds]: String(limit),
        [EnvVar.verifyClerkRateShare]: String(share),
      },
      { invocationMs: options.invocationMs },
    );
    const wallMs = performance.now() - started;
    const clerk = stack.clerk.audit.entries();
    return {
      machines,
      clerkRateLimitPer10Seconds: limit,
      clerkRateShare: share,
      allowedPer10Seconds: limit * share,
      wallMs,
      stackMs: stack.clock.now() - stackStarted,
      invocations: run.invocations,
      verified: run.verified,
      counts: run.counts,
      clerkCalls: clerk.length,
      clerkCallsByOperation: stack.clerk.audit.countsByOperation(),
      clerk429s: clerk.filter((entry) => entry.status === 429).length,
      peakClerkCallsPer10Seconds: peakPerWindow(
        clerk.map((entry) => entry.at),
        10_000,
      ),
      awsCalls: stack.secretsManager.audit.entries().length,
      awsCallsByOperation: stack.secretsManager.audit.countsByOperation(),
    };
  } finally {
    await stack.close();
  }
}
