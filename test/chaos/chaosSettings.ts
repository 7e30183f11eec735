import type { ShardOptions } from './runScheduleShard.ts';

/** The seed of the schedules `npm test` runs (the second shard uses FIXED_SEED + 1). */
export const FIXED_SEED = 20_261_130;
/** Schedules per `npm test`, over both shards. */
export const FIXED_RUNS = 1000;
/**
 * Four shards, two per core of a 2-core runner (the test's thread and one worker thread): a shard waiting out a
 * client timeout in real time leaves its core to the other. Fixed, so the schedules do not depend on the machine.
 */
export const SHARDS = 4;
/** Threads the shards are spread over: the test's own and SHARD_THREADS - 1 workers. */
export const SHARD_THREADS = 2;

export interface ChaosSettings {
  readonly seed: number;
  readonly numRuns: number;
  /** fast-check's path of a counterexample (CHAOS_PATH): replays exactly that schedule, in one shard. */
  readonly path: string | undefined;
  /** Lift the exclusions of knownIssues.ts, to replay a finding. */
  readonly includeKnownIssues: boolean;
  /** Where the seed came from, for the summary line. */
  readonly source: 'fixed seed' | 'random seed' | 'CHAOS_SEED';
}

function integer(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${raw}`);
  return value;
}

function positiveInteger(name: string, raw: string): number {
  const value = integer(name, raw);
  if (value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/**
 * `npm test`: FIXED_SEED, FIXED_RUNS. `npm run test:chaos` sets CHAOS_RUNS: without CHAOS_SEED the seed is random,
 * and printed. CHAOS_SEED + CHAOS_PATH replay one counterexample. Late landings and timeouts are always drawn
 * (CHAOS_TIMEOUTS, which `npm run test:chaos` still sets, no longer changes anything).
 */
export function readChaosSettings(env: Readonly<Record<string, string | undefined>> = process.env): ChaosSettings {
  const runs = env.CHAOS_RUNS;
  const seed = env.CHAOS_SEED;
  const common = {
    path: env.CHAOS_PATH || undefined,
    includeKnownIssues: env.CHAOS_KNOWN_ISSUES === '1',
  };
  if (runs === undefined && seed === undefined) {
    return { ...common, seed: FIXED_SEED, numRuns: FIXED_RUNS, source: 'fixed seed' };
  }
  return {
    ...common,
    seed: seed === undefined ? Math.floor(Math.random() * 2 ** 31) : integer('CHAOS_SEED', seed),
    numRuns: runs === undefined ? FIXED_RUNS : positiveInteger('CHAOS_RUNS', runs),
    source: seed === undefined ? 'random seed' : 'CHAOS_SEED',
  };
}

/** The shards to run: one (a replay) or SHARDS with consecutive seeds sharing the runs. */
export function planShards(settings: ChaosSettings): ShardOptions[] {
  const { includeKnownIssues } = settings;
  if (settings.path !== undefined) {
    return [{ seed: settings.seed, numRuns: settings.numRuns, path: settings.path, includeKnownIssues }];
  }
  return Array.from({ length: SHARDS }, (_, shard) => ({
    seed: settings.seed + shard,
    numRuns: Math.floor(settings.numRuns / SHARDS) + (shard < settings.numRuns % SHARDS ? 1 : 0),
    includeKnownIssues,
  }));
}

/** The shards split over SHARD_THREADS threads, in order (a replay's one shard runs in the test's thread). */
export function groupShards(shards: readonly ShardOptions[]): ShardOptions[][] {
  const perThread = Math.ceil(shards.length / SHARD_THREADS);
  const groups: ShardOptions[][] = [];
  for (let start = 0; start < shards.length; start += perThread) groups.push(shards.slice(start, start + perThread));
  return groups;
}

/** The command that replays a counterexample of the shard with this seed. */
export function replayCommand(shard: ShardOptions, path: string | undefined, file: string): string {
  const env = [
    `CHAOS_SEED=${shard.seed}`,
    path === undefined ? '' : `CHAOS_PATH=${path}`,
    shard.includeKnownIssues ? 'CHAOS_KNOWN_ISSUES=1' : '',
  ].filter(Boolean);
  return `${env.join(' ')} npx vitest run ${file}`;
}
