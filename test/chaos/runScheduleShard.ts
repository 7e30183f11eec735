import fc from 'fast-check';
import { startChaosStack } from './ChaosStack.ts';
import { emptyStats, type RunStats } from './RunStats.ts';
import { ScheduleRun } from './ScheduleRun.ts';
import { scheduleArbitrary } from './scheduleArbitrary.ts';

export interface ShardOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** fast-check's path of one counterexample: replays exactly that schedule. */
  readonly path?: string | undefined;
  readonly includeKnownIssues: boolean;
}

/** Plain data, so a worker thread can post it. */
export interface ShardResult {
  readonly seed: number;
  readonly numRuns: number;
  /** Runs including the re-runs of shrinking. */
  readonly executions: number;
  readonly seconds: number;
  readonly stats: RunStats;
  /** fast-check's report (counterexample, seed, path, error) when the property failed. */
  readonly failure?: { readonly report: string; readonly path: string | undefined } | undefined;
  /** Errors Secrets Manager recorded for rotation steps that contain something shaped like a key (I5). */
  readonly leakedStepErrors: readonly string[];
}

/** `ak_…`, `sk_test_…`, `sk_live_…` with enough characters to be a real key, not a placeholder like `ak_…`. */
const KEY_SHAPE = /\b(?:ak|sk_test|sk_live)_[A-Za-z0-9]{16,}/;

/**
 * Runs one fixed-seed slice of the schedules on a stack of its own: fast-check generates `numRuns` schedules from
 * `seed`, executes each on a fresh machine, and shrinks the first failing one. Also sweeps every error Secrets
 * Manager recorded for a rotation step for key-shaped text (I5 on what the runs' own checks do not see).
 */
export async function runScheduleShard(options: ShardOptions): Promise<ShardResult> {
  const chaos = await startChaosStack({ seed: options.seed });
  try {
    const stats = emptyStats();
    let executions = 0;
    const property = fc.asyncProperty(scheduleArbitrary(), async (schedule) => {
      executions += 1;
      const name = `s${options.seed}-${executions}`;
      const run = await ScheduleRun.create(chaos, schedule, name, stats, {
        includeKnownIssues: options.includeKnownIssues,
      });
      await run.execute();
    });
    const started = performance.now();
    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: options.numRuns,
      includeErrorInReport: true,
      ...(options.path === undefined ? {} : { path: options.path, endOnFailure: true }),
    });
    const seconds = (performance.now() - started) / 1000;
    const leakedStepErrors = chaos.stack.secretsManager
      .stepInvocations()
      .flatMap((step) => (step.error === undefined ? [] : [`${step.error.name}: ${step.error.message}`]))
      .filter((message) => KEY_SHAPE.test(message))
      .map((message) => message.replace(KEY_SHAPE, '<key>'));
    return {
      seed: options.seed,
      numRuns: details.numRuns,
      executions,
      seconds,
      stats,
      leakedStepErrors,
      failure: details.failed
        ? {
            report: fc.defaultReportMessage(details) ?? 'property failed',
            path: details.counterexamplePath ?? undefined,
          }
        : undefined,
    };
  } finally {
    await chaos.close();
  }
}

/** Several shards side by side in one thread (each on its own stack): one's real-time waits are the other's CPU. */
export function runScheduleShards(shards: readonly ShardOptions[]): Promise<ShardResult[]> {
  return Promise.all(shards.map((shard) => runScheduleShard(shard)));
}
