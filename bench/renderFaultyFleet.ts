import { SEND_WINDOW_MS } from '../lib/core/sendRecordedRotate.ts';
import type { BenchResults, GoalResult } from './BenchResults.ts';
import { markdownTable } from './markdownTable.ts';
import { FLEET_GOAL_RATIO } from './measureFleet.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percent = (rate: number) => `${Number((rate * 100).toFixed(2))} %`;

/** Met when the fault-laden fleet ends within the goal ratio with nothing failed, doubled or lost. */
export function faultyFleetMet(run: BenchResults['faultyFleet']['run']): boolean {
  return (
    run.ratio <= FLEET_GOAL_RATIO &&
    run.failures === 0 &&
    run.doubleRotations === 0 &&
    run.lostKeys === 0 &&
    run.inconsistent === 0
  );
}

/** The summary table's row for the fleet with faults. */
export function faultyFleetSummaryRow(results: BenchResults): string[] {
  const run = results.faultyFleet.run;
  return [
    `Fleet with faults (5 % 5xx, 1 % lost at Clerk): ${run.secrets} rotations, worker threads, compressed ${run.scale}×`,
    `${seconds(run.totalMs)}, ${run.failures} failed, ${run.doubleRotations} double, ${run.lostKeys} keys lost`,
    `rate-limit floor: ${seconds(run.floorMs)}`,
    `${run.ratio.toFixed(2)}×`,
    `≤ ${FLEET_GOAL_RATIO}×, 0 failed`,
    faultyFleetMet(run) ? 'met' : 'missed',
  ];
}

function faultsText(run: BenchResults['faultyFleet']['run']): string {
  const clerk = run.clerkFaults;
  const aws = run.secretsManagerFaults;
  return `${
    clerk === false
      ? 'none at Clerk'
      : `at Clerk, on every call, ${percent(clerk.serverErrorRate)} answered 503 in Clerk's place (never processed, so
never landed) and ${percent(clerk.lostResponseRate)} processed with the response lost (landed before the function
heard of it)`
  }; ${
    aws === false
      ? 'none at Secrets Manager'
      : `at Secrets Manager, on the function's own calls, ${percent(aws.errorRate)} InternalServiceError and
${percent(aws.lostResponseRate)} lost responses (the SDK's three attempts absorb most)`
  }`;
}

/** Section 4's second part: the fleet with faults, emulators and rotation functions in worker threads. */
export function renderFaultyFleet(results: BenchResults): string {
  const { calibration, scaleChoice, run } = results.faultyFleet;
  const single = results.fleet.scaleChoice.unlimitedRotationsPerSecond;
  const byError = Object.entries(run.failedAttemptsByError)
    .map(([name, count]) => `${name} ×${count}`)
    .join(', ');
  return `### With faults, in worker threads

The same first rotation of ${run.secrets} secrets, ${run.concurrency} in flight, with faults: ${faultsText(run)}.
Here the harness stays out of the measurement: Clerk's emulator runs in one worker thread, and ${run.shards} shards —
each a Secrets Manager emulator with the real rotation function and the caller of RotateSecret — in one thread each
(\`bench/fleetWorkers/\`), all on one clock compressed **${run.scale}×** (\`sharedTime.ts\`). Unlimited and without
faults, this layout managed ${scaleChoice.unlimitedRotationsPerSecond.toFixed(1)} rotations/s
(${calibration.secrets} rotations in ${seconds(calibration.totalMs)}), ${(scaleChoice.unlimitedRotationsPerSecond / single).toFixed(2)}×
the ${single.toFixed(1)}/s of one process above; the compression is chosen from it the same way
(${scaleChoice.limitRotationsPerSecond.toFixed(1)} rotations/s allowed).

**Landing horizon ${run.landingHorizonSeconds} s** (\`ROTATE_LANDING_HORIZON_SECONDS\`, the function's minimum; the
construct's own minimum is 30 s). It is sound for these faults: an injected 503 was never processed and a lost
response was lost after processing, so every rotate has landed or never will by the time the function hears of it.
**Secrets Manager re-attempts a failed rotation after ${seconds(run.reattemptBackoffMs)}** of Clerk's time, up to
${run.maxAttempts} attempts: the record of a rotate reads "sent at or before write + ${SEND_WINDOW_MS / 1000} s", so its horizon
ends ${SEND_WINDOW_MS / 1000 + run.landingHorizonSeconds} s after the write; ${seconds(run.reattemptBackoffMs)} puts the first re-attempt past
it, and that attempt decides (adopts the key that landed, or rotates once).

**The floor** is the same rate-limit floor as above: ${run.secrets} clean rotations' instance-key calls
(${results.rotationCalls.clerkInstanceKeyTotal} each) at ${run.limit} per window. Extra calls the faults cost are
charged to the rotator, not to the floor. The horizon tail is **inside** the goal: the total runs until the last
secret is rotated, re-attempts and their waits included. Beside it: when the last rotation that needed no
re-attempt finished, and the floor of the instance-key calls that actually counted against the limit.

${markdownTable(
  ['', 'value'],
  [
    ['total (every secret rotated)', seconds(run.totalMs)],
    ['rate-limit floor (clean rotations)', seconds(run.floorMs)],
    ['**ratio**', `**${run.ratio.toFixed(2)}×**`],
    [
      'last rotation that needed no re-attempt',
      `${seconds(run.lastFirstAttemptMs)} (${(run.lastFirstAttemptMs / run.floorMs).toFixed(2)}× the floor)`,
    ],
    [
      'floor of the instance-key calls that counted',
      `${seconds(run.countedFloorMs)} (${run.countedInstanceKeyCalls} calls; total ${(run.totalMs / run.countedFloorMs).toFixed(2)}× it)`,
    ],
    ['failed rotations', String(run.failures)],
    ['double rotations (API rotations per machine > 1)', String(run.doubleRotations)],
    ['machines not rotated at Clerk', String(run.notRotated)],
    ["keys lost (Clerk's current key in no labelled version)", String(run.lostKeys)],
    ["AWSCURRENT ≠ Clerk's current key (or still the first key)", String(run.inconsistent)],
    ['AWSPENDING left behind', String(run.pendingLeft)],
    ['rotations Secrets Manager re-attempted', String(run.retriedRotations)],
    ['… of them after a rotate that might still land (waited out the horizon)', String(run.waitedHorizon)],
    ['failed attempts by error', byError || '—'],
    [
      'faults injected',
      `Clerk: ${run.injected.clerkServerErrors} × 503, ${run.injected.clerkLostResponses} lost; Secrets Manager: ${run.injected.secretsManagerErrors} errors, ${run.injected.secretsManagerLostResponses} lost`,
    ],
    ['Clerk calls (instance key)', `${run.clerkCalls} (${run.clerkInstanceKeyCalls})`],
    ['Clerk 429s', String(run.clerk429s)],
    ['Secrets Manager calls (RotateSecret included)', String(run.awsCalls)],
    ['log lines holding a key-shaped value', `${run.logLinesWithKeys} of ${run.logLines}`],
    [
      'CPU time of the process, every thread, from the start until the shards had read back',
      `${seconds(run.cpuMs)} in ${seconds(run.cpuWallMs)}: ${(run.cpuMs / run.cpuWallMs).toFixed(2)} of ${results.machine.cores} cores on average`,
    ],
  ],
)}

![Completed rotations with faults over time against the rate-limit floor](fleet-faults.svg)`;
}

/** The goal of the issue's item: the fault-laden fleet within the ratio, nothing failed, doubled or lost. */
export function faultyFleetGoal(results: BenchResults): GoalResult {
  const run = results.faultyFleet.run;
  const tail = `last rotation without a re-attempt at ${(run.lastFirstAttemptMs / run.floorMs).toFixed(2)}× (the horizon tail is inside the ratio)`;
  return {
    goal: `Fleet of ${run.secrets} with faults (5 % 5xx, 1 % lost at Clerk): ≤ ${FLEET_GOAL_RATIO}× the rate-limit floor, 0 failed, 0 double, 0 keys lost`,
    measured: `${run.ratio.toFixed(2)}×, ${run.failures} failed, ${run.doubleRotations} double, ${run.lostKeys} lost`,
    met: faultyFleetMet(run),
    note: `worker threads, time compressed ${run.scale}×, landing horizon ${run.landingHorizonSeconds} s, re-attempts after ${run.reattemptBackoffMs / 1000} s; ${tail}`,
  };
}
