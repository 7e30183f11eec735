import type { FleetMeasurement, FleetProgressPoint } from '../measureFleet.ts';
import type { ClerkFaults, ClerkFleetReport, FleetMachine } from './clerkFleetWorker.ts';
import type { SecretsManagerFaults, ShardRunResult } from './shardFleetWorker.ts';

/** The fleet with faults, its threads, its landing horizon and re-attempts: what measureFaultyFleet reports. */
export interface FaultyFleetMeasurement extends FleetMeasurement {
  readonly shards: number;
  readonly clerkFaults: ClerkFaults | false;
  readonly secretsManagerFaults: SecretsManagerFaults | false;
  /** ROTATE_LANDING_HORIZON_SECONDS of every rotation function. */
  readonly landingHorizonSeconds: number;
  /** Secrets Manager's wait before re-attempting a failed rotation, in stack (Clerk's) time. */
  readonly reattemptBackoffMs: number;
  readonly maxAttempts: number;
  /** The instance-key calls that counted against the limit (not 429, not an injected error) ÷ the limit. */
  readonly countedInstanceKeyCalls: number;
  readonly countedFloorMs: number;
  /** Machines rotated at Clerk not at all. */
  readonly notRotated: number;
  /** Machines whose current Clerk key is in no labelled version of the secret. */
  readonly lostKeys: number;
  /** AWSPENDING left on a version that is not AWSCURRENT. */
  readonly pendingLeft: number;
  /** Rotations one of whose attempts found a rotate that might still land (RotateInFlightError). */
  readonly waitedHorizon: number;
  /** Real ms from the start until the last rotation that succeeded at its first attempt returned. */
  readonly lastFirstAttemptMs: number;
  /** Error names of failed attempts, counted. */
  readonly failedAttemptsByError: Readonly<Record<string, number>>;
  readonly injected: {
    readonly clerkServerErrors: number;
    readonly clerkLostResponses: number;
    readonly secretsManagerErrors: number;
    readonly secretsManagerLostResponses: number;
  };
  readonly logLines: number;
  readonly logLinesWithKeys: number;
  /** CPU time (user + system) of the process, every thread, while the shards rotated and read back… */
  readonly cpuMs: number;
  /** …over this much real time. */
  readonly cpuWallMs: number;
}

export interface FleetRunInput {
  readonly secrets: number;
  readonly concurrency: number;
  readonly shards: number;
  /** Time compression; undefined: no rate limit, system clocks (what the machine manages). */
  readonly scale: number | undefined;
  /** The limit in stack time. */
  readonly limit: number;
  readonly windowMs: number;
  readonly instanceCallsPerRotation: number;
  readonly clerkFaults: ClerkFaults | false;
  readonly secretsManagerFaults: SecretsManagerFaults | false;
  readonly landingHorizonSeconds: number;
  readonly reattemptBackoffMs: number;
  readonly maxAttempts: number;
  /** Real epoch ms at which every shard started rotating. */
  readonly startAt: number;
  readonly machines: readonly FleetMachine[];
  readonly shardResults: readonly ShardRunResult[];
  readonly clerk: ClerkFleetReport;
  readonly cpuMs: number;
  readonly cpuWallMs: number;
}

/** The earliest the limit lets `calls` instance-key calls out: ⌈calls ÷ limit⌉ fixed windows, the first at once. */
export function rateLimitFloorMs(calls: number, limit: number, windowMs: number): number {
  return Math.max(1, Math.ceil(calls / limit) - 1) * windowMs;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Joins the shards' and Clerk's views of one run into the fleet's figures. */
export function summarizeFleetRun(input: FleetRunInput): FaultyFleetMeasurement {
  const secrets = input.shardResults.flatMap((shard) => shard.secrets);
  const clerkByMachine = new Map(input.clerk.machines.map((machine) => [machine.machineId, machine]));
  const initialKeys = new Map(input.machines.map((machine) => [machine.machineId, machine.initialKey]));
  const limited = input.scale !== undefined;
  const windowMs = limited ? input.windowMs / (input.scale as number) : 0;
  const completions = secrets.map((secret) => secret.completedAt - input.startAt).sort((a, b) => a - b);
  const progress: FleetProgressPoint[] = [
    { atMs: 0, completed: 0 },
    ...completions.map((atMs, index) => ({ atMs, completed: index + 1 })),
  ];
  const totalMs = completions.at(-1) ?? 0;
  const floorMs = limited ? rateLimitFloorMs(input.secrets * input.instanceCallsPerRotation, input.limit, windowMs) : 0;
  const clerkKey = (machineId: string) => clerkByMachine.get(machineId)?.currentKey;
  const failedAttemptsByError: Record<string, number> = {};
  for (const name of secrets.flatMap((secret) => secret.failedAttemptErrors)) {
    failedAttemptsByError[name] = (failedAttemptsByError[name] ?? 0) + 1;
  }
  const firstAttempt = secrets.filter((secret) => secret.outcome === 'succeeded' && secret.attempts === 1);
  return {
    scaling: limited ? 'time' : 'off',
    secrets: input.secrets,
    concurrency: input.concurrency,
    scale: input.scale ?? 1,
    limit: input.limit,
    windowMs,
    totalMs,
    floorMs,
    ratio: floorMs === 0 ? 0 : totalMs / floorMs,
    failures: secrets.filter((secret) => secret.outcome !== 'succeeded').length + (input.secrets - secrets.length),
    doubleRotations: input.clerk.machines.filter((machine) => machine.apiRotations > 1).length,
    inconsistent: secrets.filter(
      (secret) =>
        secret.currentKey !== clerkKey(secret.machineId) || secret.currentKey === initialKeys.get(secret.machineId),
    ).length,
    retriedRotations: secrets.filter((secret) => secret.attempts > 1).length,
    clerkCalls: input.clerk.calls,
    clerkInstanceKeyCalls: input.clerk.instanceKeyCalls,
    clerk429s: input.clerk.status429,
    awsCalls: sum(input.shardResults.map((shard) => shard.awsCalls)),
    progress,
    shards: input.shards,
    clerkFaults: input.clerkFaults,
    secretsManagerFaults: input.secretsManagerFaults,
    landingHorizonSeconds: input.landingHorizonSeconds,
    reattemptBackoffMs: input.reattemptBackoffMs,
    maxAttempts: input.maxAttempts,
    countedInstanceKeyCalls: input.clerk.countedInstanceKeyCalls,
    countedFloorMs: limited ? rateLimitFloorMs(input.clerk.countedInstanceKeyCalls, input.limit, windowMs) : 0,
    notRotated: input.clerk.machines.filter((machine) => machine.apiRotations === 0).length,
    lostKeys: secrets.filter((secret) => !secret.storedKeys.includes(clerkKey(secret.machineId) ?? '')).length,
    pendingLeft: secrets.filter((secret) => secret.pendingLeft).length,
    waitedHorizon: secrets.filter((secret) => secret.failedAttemptErrors.includes('RotateInFlightError')).length,
    lastFirstAttemptMs: Math.max(0, ...firstAttempt.map((secret) => secret.completedAt - input.startAt)),
    failedAttemptsByError,
    injected: {
      clerkServerErrors: input.clerk.injectedServerErrors,
      clerkLostResponses: input.clerk.lostResponses,
      secretsManagerErrors: sum(input.shardResults.map((shard) => shard.injectedErrors)),
      secretsManagerLostResponses: sum(input.shardResults.map((shard) => shard.lostResponses)),
    },
    logLines: sum(input.shardResults.map((shard) => shard.logLines)),
    logLinesWithKeys: sum(input.shardResults.map((shard) => shard.logLinesWithKeys)),
    cpuMs: input.cpuMs,
    cpuWallMs: input.cpuWallMs,
  };
}
