import { GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DEVELOPMENT_INSTANCE_RATE_LIMIT } from '../localstack/clerk/index.ts';
import { type LocalMachine, type LocalStack, startLocalStack } from '../localstack/startLocalStack.ts';

/** The goal: a window of rotations ends within 1.25× of what the rate limit allows, with none failed. */
export const FLEET_GOAL_RATIO = 1.25;

/**
 * How Clerk's 10-second rate-limit window is compressed so 1000 rotations fit in a bench run.
 * - `time`: everything that measures time runs `scale`× faster — the emulators' clock, the handler's clock, its
 *   `Retry-After` sleep and its retry backoff — against Clerk's real limit (100 per 10 s of that clock). A
 *   whole-second `Retry-After` then weighs what it weighs against Clerk: a tenth of a window.
 * - `window`: the stack as shipped (system clock, its own handler, the default retry policy); only the limiter's
 *   window is shortened to 10 s ÷ scale. `Retry-After` stays in whole real seconds, so at scale 100 one 429 costs
 *   ten windows.
 * - `off`: no rate limit: what this machine's CPU allows (emulators and handler share one process).
 */
export type FleetScaling = 'time' | 'window' | 'off';

export interface FleetOptions {
  /** @default 1000 */
  readonly secrets?: number;
  /** Rotations in flight at once (Secrets Manager spreads a rotation window over many invocations). @default 50 */
  readonly concurrency?: number;
  /** Time compression: Clerk's 10 s window becomes 10 s ÷ scale. @default 100 */
  readonly scale?: number;
  /** @default 'time' */
  readonly scaling?: FleetScaling;
  /** Instance-key Clerk calls per clean rotation (bench/measureRotationCalls.ts measures them). @default 3 */
  readonly instanceCallsPerRotation?: number;
}

export interface FleetProgressPoint {
  /** Real ms since the first RotateSecret. */
  readonly atMs: number;
  readonly completed: number;
}

export interface FleetMeasurement {
  readonly scaling: FleetScaling;
  readonly secrets: number;
  readonly concurrency: number;
  readonly scale: number;
  /** The limit as enforced, in real time: `limit` instance-key requests per `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  readonly totalMs: number;
  /**
   * The earliest the limit lets the last rotation's last instance-key call go out: the instance-key calls of
   * `secrets` clean rotations fill ⌈calls ÷ limit⌉ fixed windows, the first of which opens at once (0 when unlimited).
   */
  readonly floorMs: number;
  /** totalMs ÷ floorMs (0 when unlimited). */
  readonly ratio: number;
  /** Rotations that did not end succeeded after Secrets Manager's own attempts. */
  readonly failures: number;
  /** Machines rotated more than once at Clerk through the API. */
  readonly doubleRotations: number;
  /** Machines whose AWSCURRENT key is not Clerk's current key afterwards. */
  readonly inconsistent: number;
  /** Rotations that needed more than one Secrets Manager attempt (a step failed, all steps ran again). */
  readonly retriedRotations: number;
  readonly clerkCalls: number;
  readonly clerkInstanceKeyCalls: number;
  readonly clerk429s: number;
  readonly awsCalls: number;
  readonly progress: readonly FleetProgressPoint[];
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function countInconsistent(stack: LocalStack, machines: readonly LocalMachine[]): Promise<number> {
  let inconsistent = 0;
  await forEachBounded(machines, 20, async (machine) => {
    const { SecretString } = await stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
    const stored = (JSON.parse(SecretString ?? '{}') as { secretKey?: string }).secretKey;
    if (stored !== stack.clerk.currentKey(machine.machineId)) inconsistent += 1;
  });
  return inconsistent;
}

/**
 * `secrets` secrets rotating through the local stack (both emulators, the real handler over HTTP) under Clerk's
 * development rate limit, compressed in time, at most `concurrency` at once. Each secret gets its first rotation:
 * RotateSecret with the function's ARN and RotateImmediately, the four steps `stack.rotate()` also runs. Creating
 * machines and secrets is set-up, untimed and unlimited.
 */
export async function measureFleet(options: FleetOptions = {}): Promise<FleetMeasurement> {
  const secrets = options.secrets ?? 1000;
  const concurrency = options.concurrency ?? 50;
  const scaling = options.scaling ?? 'time';
  const scale = scaling === 'off' ? 1 : (options.scale ?? 100);
  const instanceCallsPerRotation = options.instanceCallsPerRotation ?? 3;
  const { limit } = DEVELOPMENT_INSTANCE_RATE_LIMIT;
  const windowMs = DEVELOPMENT_INSTANCE_RATE_LIMIT.windowMs / scale;

  // 'time': the stack's clock, the handler's waits and its retry backoff all run `scale`× faster.
  const stack = await startLocalStack(
    scaling === 'time'
      ? { clock: 'manual', timeScale: scale, rateLimit: false }
      : { clock: 'system', rateLimit: false },
  );
  try {
    const machines: LocalMachine[] = [];
    const indexes = Array.from({ length: secrets }, (_, i) => i);
    await forEachBounded(indexes, 10, async (i) => {
      machines.push(await stack.addMachine({ name: `fleet-${String(i).padStart(4, '0')}`, enableRotation: false }));
    });

    if (scaling === 'time') {
      stack.clerk.rateLimiter.configure(DEVELOPMENT_INSTANCE_RATE_LIMIT);
    } else if (scaling === 'window') {
      stack.clerk.rateLimiter.configure({ limit, windowMs });
    }

    const clerkBefore = stack.clerk.audit.entries().length;
    const awsBefore = stack.secretsManager.audit.entries().length;
    const rotationsBefore = stack.secretsManager.rotations().length;
    const progress: FleetProgressPoint[] = [{ atMs: 0, completed: 0 }];
    let rejected = 0;
    const started = performance.now();
    await forEachBounded(machines, concurrency, async (machine) => {
      try {
        await stack.client.send(
          new RotateSecretCommand({
            SecretId: machine.secretName,
            RotationLambdaARN: stack.functionArn,
            RotationRules: { AutomaticallyAfterDays: 30 },
            RotateImmediately: true,
          }),
        );
      } catch {
        rejected += 1;
      }
      progress.push({ atMs: performance.now() - started, completed: progress.length });
    });
    const totalMs = performance.now() - started;

    const rotations = stack.secretsManager.rotations().slice(rotationsBefore);
    const clerk = stack.clerk.audit.entries().slice(clerkBefore);
    const windowsNeeded = Math.ceil((secrets * instanceCallsPerRotation) / limit);
    const floorMs = scaling === 'off' ? 0 : Math.max(1, windowsNeeded - 1) * windowMs;
    return {
      scaling,
      secrets,
      concurrency,
      scale,
      limit,
      windowMs,
      totalMs,
      floorMs,
      ratio: floorMs === 0 ? 0 : totalMs / floorMs,
      failures: rejected + rotations.filter((rotation) => rotation.outcome !== 'succeeded').length,
      doubleRotations: machines.filter((machine) => stack.clerk.rotationsFor(machine.machineId).length > 1).length,
      inconsistent: await countInconsistent(stack, machines),
      retriedRotations: rotations.filter((rotation) => rotation.attempts.length > 1).length,
      clerkCalls: clerk.length,
      clerkInstanceKeyCalls: clerk.filter((entry) => entry.keyKind === 'instance').length,
      clerk429s: clerk.filter((entry) => entry.status === 429).length,
      awsCalls: stack.secretsManager.audit.entries().length - awsBefore,
      progress,
    };
  } finally {
    await stack.close();
  }
}
