import { SEND_WINDOW_MS } from '../lib/core/sendRecordedRotate.ts';
import { DEVELOPMENT_INSTANCE_RATE_LIMIT } from '../localstack/clerk/index.ts';
import type { ClerkFaults, ClerkFleetReport, ClerkFleetStarted } from './fleetWorkers/clerkFleetWorker.ts';
import type { SecretsManagerFaults, ShardPrepare, ShardRunResult } from './fleetWorkers/shardFleetWorker.ts';
import { realNow, type SharedTime } from './fleetWorkers/sharedTime.ts';
import { type FaultyFleetMeasurement, summarizeFleetRun } from './fleetWorkers/summarizeFleetRun.ts';
import { type BenchWorker, startBenchWorker } from './workers/startBenchWorker.ts';

export type { FaultyFleetMeasurement } from './fleetWorkers/summarizeFleetRun.ts';

/** The faults of the issue's fleet: at Clerk 5 % 5xx and 1 % lost responses; ADR 005's at Secrets Manager. */
export const FLEET_FAULTS = {
  clerk: { serverErrorRate: 0.05, lostResponseRate: 0.01 },
  secretsManager: { errorRate: 0.01, lostResponseRate: 0.005 },
} as const satisfies { clerk: ClerkFaults; secretsManager: SecretsManagerFaults };

/**
 * The landing horizon the fleet's functions run with: the function's minimum. Sound for these faults: an injected
 * 5xx answers in Clerk's place and the call is never processed, and a lost response is lost after processing, so
 * every rotate has landed or never will by the time the function hears of it; nothing lands later.
 */
export const FLEET_LANDING_HORIZON_SECONDS = 10;

export interface FaultyFleetOptions {
  /** @default 1000 */
  readonly secrets?: number;
  /** Rotations in flight at once, over all shards. @default 50 */
  readonly concurrency?: number;
  /** Threads running a Secrets Manager emulator and rotation function each (Clerk has one more). @default 2 */
  readonly shards?: number;
  /** Time compression of Clerk's 10 s window; undefined: no rate limit and no faults (the machine's capacity). */
  readonly scale?: number;
  readonly clerkFaults?: ClerkFaults | false;
  readonly secretsManagerFaults?: SecretsManagerFaults | false;
  /** Instance-key Clerk calls per clean rotation (bench/measureRotationCalls.ts). @default 3 */
  readonly instanceCallsPerRotation?: number;
  /** @default 10 */
  readonly maxAttempts?: number;
  /** @default 1 */
  readonly seed?: number;
}

/**
 * Secrets Manager's wait before re-attempting a failed rotation, in stack time: past the landing horizon of a rotate
 * recorded just before the failure (its record reads "sent at or before write + SEND_WINDOW_MS"), so that the first
 * re-attempt after an ambiguous rotate decides instead of meeting ROTATE_IN_FLIGHT again.
 */
export function reattemptBackoffMs(landingHorizonSeconds: number): number {
  return SEND_WINDOW_MS + landingHorizonSeconds * 1000 + 1000;
}

function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, part) => items.filter((_, index) => index % parts === part));
}

/**
 * The fleet with faults, measured without the harness in the way: Clerk's emulator in one worker thread, each shard
 * (a Secrets Manager emulator and the real rotation function) in another, all on one time line compressed `scale`×
 * (see fleetWorkers/sharedTime.ts). Every secret gets its first rotation through RotateSecret; Secrets Manager
 * re-attempts failed ones. Creating machines and secrets is set-up, untimed.
 */
export async function measureFaultyFleet(options: FaultyFleetOptions = {}): Promise<FaultyFleetMeasurement> {
  const secrets = options.secrets ?? 1000;
  const concurrency = options.concurrency ?? 50;
  const shards = options.shards ?? 2;
  const { scale } = options;
  const unlimited = scale === undefined;
  const clerkFaults = unlimited ? false : (options.clerkFaults ?? FLEET_FAULTS.clerk);
  const secretsManagerFaults = unlimited ? false : (options.secretsManagerFaults ?? FLEET_FAULTS.secretsManager);
  const maxAttempts = options.maxAttempts ?? 10;
  const seed = options.seed ?? 1;
  const backoffMs = reattemptBackoffMs(FLEET_LANDING_HORIZON_SECONDS);
  // Hours after startLocalStack's fixed start, so that every shard's clock can be moved forward onto it.
  const time: SharedTime = { realEpochMs: realNow(), stackEpochMs: Date.parse('2026-11-30T12:00:00Z'), scale };

  const workers: BenchWorker[] = [];
  try {
    const clerkWorker = startBenchWorker(new URL('./fleetWorkers/clerkFleetWorker.ts', import.meta.url));
    workers.push(clerkWorker);
    for (let i = 0; i < shards; i += 1) {
      workers.push(startBenchWorker(new URL('./fleetWorkers/shardFleetWorker.ts', import.meta.url)));
    }
    const shardWorkers = workers.slice(1);
    const clerk = await clerkWorker.call<ClerkFleetStarted>('start', {
      time,
      machines: secrets,
      rateLimit: unlimited ? false : DEVELOPMENT_INSTANCE_RATE_LIMIT,
      faults: clerkFaults,
      seed,
    });
    const slices = splitEvenly(clerk.machines, shards);
    await Promise.all(
      shardWorkers.map((worker, index) =>
        worker.call<number>('prepare', {
          time,
          clerkUrl: clerk.url,
          instanceKey: clerk.instanceKey,
          machines: slices[index] ?? [],
          concurrency: Math.max(1, Math.round(concurrency / shards)),
          landingHorizonSeconds: FLEET_LANDING_HORIZON_SECONDS,
          maxAttempts,
          reattemptBackoffRealMs: backoffMs / (scale ?? 1),
          faults: secretsManagerFaults,
          seed: seed * 100 + index,
        } satisfies ShardPrepare),
      ),
    );
    const startAt = realNow() + 200;
    const cpuBefore = process.cpuUsage();
    const wallBefore = realNow();
    const shardResults = await Promise.all(
      shardWorkers.map((worker) => worker.call<ShardRunResult>('run', { startAt })),
    );
    const cpu = process.cpuUsage(cpuBefore);
    const cpuWallMs = realNow() - wallBefore;
    const clerkReport = await clerkWorker.call<ClerkFleetReport>('report');
    return summarizeFleetRun({
      secrets,
      concurrency,
      shards,
      scale,
      limit: DEVELOPMENT_INSTANCE_RATE_LIMIT.limit,
      windowMs: DEVELOPMENT_INSTANCE_RATE_LIMIT.windowMs,
      instanceCallsPerRotation: options.instanceCallsPerRotation ?? 3,
      clerkFaults,
      secretsManagerFaults,
      landingHorizonSeconds: FLEET_LANDING_HORIZON_SECONDS,
      reattemptBackoffMs: backoffMs,
      maxAttempts,
      startAt,
      machines: clerk.machines,
      shardResults,
      clerk: clerkReport,
      cpuMs: (cpu.user + cpu.system) / 1000,
      cpuWallMs,
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.call('close').catch(() => undefined)));
    await Promise.all(workers.map((worker) => worker.close()));
  }
}
