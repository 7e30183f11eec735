import { describe, expect, it } from 'vitest';
import { runInWorker } from '../support/runInWorker.ts';
import { groupShards, planShards, readChaosSettings, replayCommand } from './chaosSettings.ts';
import { runScheduleShards, type ShardResult } from './runScheduleShard.ts';

/**
 * Random schedules (docs/decisions/005-chaos-and-fleet-testing.md): faults on any outbound call of the rotation
 * function — rotates that land late or behind a gateway's 504, inside and beyond their landing horizon, timeouts —,
 * clock jumps, duplicate and concurrent deliveries of a step, dashboard rotations and an operator removing AWSPENDING,
 * Secrets Manager re-attempts at random delays, the scheduled verification at its interval. One fresh machine per
 * schedule on a shared stack; I1–I6 are checked after every action, before every call the function makes, around
 * every verification run, and once faults stop.
 */

const FILE = 'test/chaos/randomSchedules.test.ts';
const settings = readChaosSettings();
const shards = planShards(settings);
/** Generous for the fixed 1000 on a slow runner; `npm run test:chaos` scales it with CHAOS_RUNS. */
const timeoutMs = Math.max(300_000, settings.numRuns * 400);

function summarize(result: ShardResult): string {
  const outcome = result.failure ? 'FAILED' : 'passed';
  return `chaos schedules: seed ${result.seed} (${settings.source}), ${result.numRuns} runs ${outcome} in ${result.seconds.toFixed(1)} s (${result.executions} executions with shrinking); ${JSON.stringify(result.stats)}`;
}

describe('Property: random fault schedules', () => {
  it(
    settings.path === undefined
      ? `keep I1–I6 over ${settings.numRuns} schedules (${settings.source} ${settings.seed})`
      : `keep I1–I6 in the schedule at seed ${settings.seed}, path ${settings.path}`,
    async () => {
      // Prepare
      const [own = [], ...others] = groupShards(shards);
      const worker = new URL('./scheduleShardWorker.ts', import.meta.url);

      // Act
      const grouped = await Promise.all([
        runScheduleShards(own),
        ...others.map((group) => runInWorker<ShardResult[]>(worker, group)),
      ]);
      const results = grouped.flat();

      // Assess
      for (const result of results) console.log(summarize(result));
      const failures = results.flatMap((result, index) => {
        const shard = shards[index];
        if (result.failure === undefined || shard === undefined) return [];
        return [`${result.failure.report}\n\nReplay: ${replayCommand(shard, result.failure.path, FILE)}`];
      });
      if (failures.length > 0) throw new Error(failures.join('\n\n'));
      expect(results.flatMap((result) => result.leakedStepErrors)).toEqual([]);
    },
    timeoutMs,
  );
});
