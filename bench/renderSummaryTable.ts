import type { BenchResults } from './BenchResults.ts';
import { markdownTable } from './markdownTable.ts';
import { FLEET_GOAL_RATIO } from './measureFleet.ts';
import { faultyFleetSummaryRow } from './renderFaultyFleet.ts';
import { readerPeerSummaryRows } from './renderReaderPeers.ts';
import { minutes, timeToHealMet } from './renderTimeToHeal.ts';
import { verificationSummaryRow } from './renderVerification.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const mega = (value: number) => `${(value / 1e6).toFixed(2)} M/s`;
const verdict = (met: boolean) => (met ? 'met' : 'missed');

/** One row per measurement: result, the baseline run beside it, the ratio, the goal and whether it was met. */
export function renderSummaryTable(results: BenchResults): string {
  const { bundle, coldInit, notifyColdInit: notify, rotationCalls: calls, fleet, reader, timeToHeal: heal } = results;
  const run = fleet.run;
  const steps = (pick: (s: (typeof calls.steps)[number]) => number) => calls.steps.map(pick).join('+');
  return markdownTable(
    ['measurement', 'result', 'baseline (same run)', 'ratio', 'goal', ''],
    [
      [
        'Rotation Lambda bundle, our code (AWS SDK external)',
        kb(bundle.ours.bytes),
        `@clerk/backend, same 3 Clerk calls: ${kb(bundle.clerkBackendBaseline.bytes)}`,
        ratio(bundle.ours.bytes / bundle.clerkBackendBaseline.bytes),
        `≤ ${kb(bundle.goalBytes)}`,
        verdict(bundle.ours.bytes <= bundle.goalBytes),
      ],
      [
        'Rotation Lambda bundle, AWS SDK bundled (as shipped)',
        kb(bundle.withAwsSdk.bytes),
        `AWS SDK clients alone: ${kb(coldInit.floorBytes)}`,
        ratio(bundle.withAwsSdk.bytes / coldInit.floorBytes),
        '—',
        '',
      ],
      [
        `Cold init: import of the bundled handler, CPU time (median of ${coldInit.rounds})`,
        `${coldInit.cpu.aMs.toFixed(0)} ms`,
        `AWS SDK client alone: ${coldInit.cpu.bMs.toFixed(0)} ms`,
        ratio(coldInit.cpu.ratio),
        `≤ ${coldInit.goalRatio}×`,
        verdict(coldInit.cpu.ratio <= coldInit.goalRatio),
      ],
      [
        `Cold start CPU time with notifications on (Lambda client loaded), median of ${notify.rounds}`,
        `${notify.cpu.aMs.toFixed(0)} ms`,
        `notifications off (Secrets Manager client only): ${notify.cpu.bMs.toFixed(0)} ms`,
        ratio(notify.cpu.ratio),
        '—',
        '',
      ],
      [
        'AWS calls per clean rotation (create+set+test+finish)',
        `${calls.awsTotal} (${steps((s) => s.awsTotal)})`,
        '—',
        '—',
        `≤ ${calls.goals.total}`,
        verdict(calls.awsTotal <= calls.goals.total),
      ],
      [
        'Clerk calls per clean rotation',
        `${calls.clerkTotal} (${steps((s) => s.clerkTotal)})`,
        '—',
        '—',
        `≤ ${calls.goals.clerk}`,
        verdict(calls.clerkTotal <= calls.goals.clerk),
      ],
      [
        `Fleet: ${run.secrets} rotations, ${run.concurrency} at a time, limit ${run.limit}/10 s compressed ${run.scale}×`,
        `${(run.totalMs / 1000).toFixed(1)} s, ${run.failures} failed, ${run.doubleRotations} double`,
        `rate-limit floor: ${(run.floorMs / 1000).toFixed(1)} s`,
        ratio(run.ratio),
        `≤ ${FLEET_GOAL_RATIO}×, 0 failed`,
        verdict(run.ratio <= FLEET_GOAL_RATIO && run.failures === 0),
      ],
      faultyFleetSummaryRow(results),
      [
        `Reader: hot provider.get() (median of ${reader.runs})`,
        mega(reader.hotReadsPerSecond),
        `await Map.get: ${mega(reader.awaitedMapGetPerSecond)}`,
        ratio(reader.hotReadsPerSecond / reader.awaitedMapGetPerSecond),
        '≥ 1 M/s',
        verdict(reader.hotReadsPerSecond >= reader.goals.hotReadsPerSecond),
      ],
      [
        'Reader: fetches for 10,000 concurrent cold reads',
        String(reader.coldFetchesMax),
        '10,000 without the reader',
        '—',
        '1',
        verdict(reader.coldFetchesMax <= reader.goals.coldFetches),
      ],
      [
        `Reader: GetSecretValue per simulated hour (100 req/s, maxAge ${reader.maxAgeMs / 1000} s)`,
        String(reader.callsPerSimulatedHour),
        `${reader.getsPerSimulatedHour.toLocaleString('en-US')} without the reader`,
        '—',
        '—',
        '',
      ],
      ...(heal === undefined
        ? []
        : [
            [
              `Time to heal a dashboard rotation (emulated; verification every ${minutes(heal.intervalMs)})`,
              `max ${minutes(heal.maxMs)}, median ${minutes(heal.medianMs)}`,
              `overlap of the replaced key: ${minutes(heal.overlapMs)}`,
              ratio(heal.maxMs / heal.overlapMs),
              '≤ 1 interval (+ the run)',
              verdict(timeToHealMet(heal)),
            ],
          ]),
      ...readerPeerSummaryRows(results),
      verificationSummaryRow(results),
    ],
  );
}
