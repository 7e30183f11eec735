import type { BenchResults, GoalResult } from './BenchResults.ts';
import { FLEET_GOAL_RATIO } from './measureFleet.ts';
import { faultyFleetGoal } from './renderFaultyFleet.ts';
import { minutes, timeToHealMet } from './renderTimeToHeal.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Each goal of the issue against what this run measured, with the reason when one is missed. */
export function evaluateGoals(results: BenchResults): GoalResult[] {
  const { bundle, coldInit, rotationCalls, fleet, reader } = results;
  const run = fleet.run;
  const fleetOk = run.ratio <= FLEET_GOAL_RATIO && run.failures === 0;
  const fleetWhy: string[] = [];
  if (run.failures > 0) {
    fleetWhy.push(
      `${run.failures} rotation(s) failed after Secrets Manager's attempts (${run.clerk429s} Clerk 429s; a rotate is retried only on 429, at most 3 times per call)`,
    );
  }
  if (run.ratio > FLEET_GOAL_RATIO) {
    const cpuBound = fleet.scaleChoice.unlimitedRotationsPerSecond < fleet.scaleChoice.limitRotationsPerSecond * 1.25;
    fleetWhy.push(
      cpuBound
        ? `this machine rotates at most ${fleet.scaleChoice.unlimitedRotationsPerSecond.toFixed(1)}/s with no limit, close to the scaled limit: the run measured the CPU, not the limit`
        : `${run.clerk429s} Clerk 429s cost ${run.scaling === 'window' ? 'whole real seconds of Retry-After in a shortened window' : 'waits beyond the window'}; ${run.retriedRotations} rotation(s) re-ran all steps`,
    );
  }
  return [
    {
      goal: `Our bundle (AWS SDK external) ≤ ${kb(bundle.goalBytes)}`,
      measured: kb(bundle.ours.bytes),
      met: bundle.ours.bytes <= bundle.goalBytes,
      note: `${(bundle.ours.bytes / bundle.clerkBackendBaseline.bytes).toFixed(2)}× @clerk/backend's bundle for the same three Clerk calls`,
    },
    {
      goal: `Cold init ≤ ${coldInit.goalRatio}× importing the AWS SDK clients alone (CPU time)`,
      measured: `${coldInit.cpu.ratio.toFixed(2)}×`,
      met: coldInit.cpu.ratio <= coldInit.goalRatio,
      note: `median of ${coldInit.rounds} interleaved rounds; per-round quartiles ${coldInit.cpu.ratioQuartiles.map((r) => r.toFixed(2)).join('–')}; wall time ${coldInit.ratio.toFixed(2)}× (quartiles ${coldInit.ratioQuartiles.map((r) => r.toFixed(2)).join('–')})`,
    },
    {
      goal: `≤ ${rotationCalls.goals.total} AWS calls per clean rotation`,
      measured: `${rotationCalls.awsTotal} (${rotationCalls.steps.map((s) => s.awsTotal).join('+')})`,
      met: rotationCalls.awsTotal <= rotationCalls.goals.total,
      note: 'calls the function makes; the caller’s RotateSecret is not counted',
    },
    {
      goal: `≤ ${rotationCalls.goals.clerk} Clerk calls per clean rotation`,
      measured: `${rotationCalls.clerkTotal} (${rotationCalls.steps.map((s) => s.clerkTotal).join('+')})`,
      met: rotationCalls.clerkTotal <= rotationCalls.goals.clerk,
      note: `${rotationCalls.clerkInstanceKeyTotal} of them with the instance key (rate-limited per instance)`,
    },
    {
      goal: `Fleet of ${run.secrets}: ≤ ${FLEET_GOAL_RATIO}× the rate-limit floor, 0 failures`,
      measured: `${run.ratio.toFixed(2)}×, ${run.failures} failures, ${run.doubleRotations} double rotations`,
      met: fleetOk,
      note: fleetOk
        ? `time compressed ${run.scale}× (${run.scaling}-scaled); ${run.clerk429s} Clerk 429s absorbed by Retry-After`
        : fleetWhy.join('; '),
    },
    faultyFleetGoal(results),
    {
      goal: `Reader hot reads ≥ ${(reader.goals.hotReadsPerSecond / 1e6).toFixed(0)} M/s`,
      measured: `${(reader.hotReadsPerSecond / 1e6).toFixed(2)} M/s`,
      met: reader.hotReadsPerSecond >= reader.goals.hotReadsPerSecond,
      note: `${(reader.hotReadsPerSecond / reader.awaitedMapGetPerSecond).toFixed(2)}× an awaited Map.get in the same run (an absolute goal: it depends on this machine)`,
    },
    {
      goal: `${reader.coldReads.toLocaleString('en-US')} concurrent cold reads → ${reader.goals.coldFetches} fetch`,
      measured: `${reader.coldFetchesMax} (worst of ${reader.runs} runs)`,
      met: reader.coldFetchesMax <= reader.goals.coldFetches,
      note: '',
    },
    ...(results.timeToHeal === undefined
      ? []
      : [
          {
            goal: 'A dashboard rotation is back in AWSCURRENT within one verification interval, long before the overlap ends',
            measured: `max ${minutes(results.timeToHeal.maxMs)} (median ${minutes(results.timeToHeal.medianMs)}), interval ${minutes(results.timeToHeal.intervalMs)}, overlap ${minutes(results.timeToHeal.overlapMs)}`,
            met: timeToHealMet(results.timeToHeal),
            note: `emulated time; max ÷ overlap ${(results.timeToHeal.maxMs / results.timeToHeal.overlapMs).toFixed(2)}; ${results.timeToHeal.apiRotations} Clerk rotations`,
          },
        ]),
  ];
}
