import { renderReaderTable } from '../scripts/bench-reader.ts';
import type { BenchResults, GoalResult } from './BenchResults.ts';
import { markdownTable } from './markdownTable.ts';
import type { BundleSize } from './measureBundle.ts';
import type { NotifyColdInitMeasurement } from './measureNotifyColdInit.ts';
import { renderFaultyFleet } from './renderFaultyFleet.ts';
import { renderRateBudget } from './renderRateBudget.ts';
import { renderReaderPeers } from './renderReaderPeers.ts';
import { renderSummaryTable } from './renderSummaryTable.ts';
import { renderTimeToHeal } from './renderTimeToHeal.ts';
import { renderVerification } from './renderVerification.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' / ');
const counts = (byOperation: Readonly<Record<string, number>>) =>
  Object.entries(byOperation)
    .map(([operation, n]) => (n === 1 ? operation : `${operation} ×${n}`))
    .join(', ') || '—';

function contributors(size: BundleSize): string {
  return size.top.map((c) => `\`${c.source}\` ${kb(c.bytes)}`).join(', ');
}

/** Section 2's second part: what loading the Lambda client for notifications adds to a cold start. */
function renderNotifyColdInit(notify: NotifyColdInitMeasurement): string {
  return `### Notifications: the Lambda client only when asked for

The function loads \`@aws-sdk/client-lambda\` (and the notifier) only when \`ROTATION_NOTIFY_FUNCTION_ARNS\` is set.
Each round starts the shipped bundle (${kb(notify.bundleBytes)}, its source map beside it) twice in a fresh
\`node --enable-source-maps\`, as the construct starts the function, and times the import plus a first invocation
(clients created, settings read, then an empty event refused before any network call): once with
\`ROTATION_NOTIFY_FUNCTION_ARNS\` unset, once set, interleaved as above, wall time and CPU time; ${notify.rounds}
rounds.

${markdownTable(
  ['', 'Secrets Manager client only', 'with the Lambda client loaded', 'ratio'],
  [
    [
      'import + first invocation, median',
      `${notify.secretsManagerOnlyMs.toFixed(1)} ms`,
      `${notify.withLambdaClientMs.toFixed(1)} ms`,
      `${notify.ratio.toFixed(2)}× (median of per-round ratios; quartiles ${notify.ratioQuartiles.map((r) => r.toFixed(2)).join('–')})`,
    ],
    [
      'CPU time of the same, median',
      `${notify.cpu.bMs.toFixed(1)} ms`,
      `${notify.cpu.aMs.toFixed(1)} ms`,
      `${notify.cpu.ratio.toFixed(2)}× (median of per-round ratios; quartiles ${notify.cpu.ratioQuartiles.map((r) => r.toFixed(2)).join('–')})`,
    ],
  ],
)}`;
}

/** bench/results.md: machine, summary, goals, then each measurement with its method. */
export function renderReport(results: BenchResults, goals: readonly GoalResult[]): string {
  const { machine, bundle, coldInit, notifyColdInit: notify, rotationCalls: calls, fleet, reader } = results;
  const run = fleet.run;
  const calibration = fleet.calibration;
  return `# Benchmark results

Produced by \`${results.command}\` on ${results.generatedAt} in ${seconds(results.durationMs)}. Numbers are
ratios against a baseline measured side by side in the same run; absolute times belong to this machine only.

## Machine

${markdownTable(
  ['CPU', 'cores', 'Node', 'OS', 'memory', 'load average (1/5/15 min) at start', 'at end'],
  [
    [
      machine.cpuModel,
      String(machine.cores),
      machine.node,
      machine.os,
      `${machine.memoryGiB} GiB`,
      load(machine.loadAverage),
      load(results.loadAverageAtEnd),
    ],
  ],
)}

## Summary

${renderSummaryTable(results)}

## Goals

${markdownTable(
  ['goal', 'measured', '', 'note'],
  goals.map((g) => [g.goal, g.measured, g.met ? 'met' : '**missed**', g.note]),
)}

## 1. Bundle size

The rotation function (\`lambda/rotate.ts\`) bundled as \`npm run build\` ships it in
\`dist/functions/rotate/index.mjs\` (\`scripts/build/functionBuildOptions.ts\`): esbuild, ESM, minified, platform
node, target node24, a \`createRequire\` banner. The baseline
(\`bench/fixtures/clerkBackendBaseline.ts\`) makes the same three Clerk calls — read the current key, rotate it, list
tokens with the machine key — through \`@clerk/backend\`, bundled the same way. Sizes are deterministic: one build each.

${markdownTable(
  ['bundle', 'bytes', 'largest contributors (metafile, minified bytes)'],
  [
    ['ours, `@aws-sdk/*` external', `${bundle.ours.bytes} (${kb(bundle.ours.bytes)})`, contributors(bundle.ours)],
    [
      'ours, AWS SDK bundled (shipped)',
      `${bundle.withAwsSdk.bytes} (${kb(bundle.withAwsSdk.bytes)})`,
      contributors(bundle.withAwsSdk),
    ],
    [
      '`@clerk/backend` baseline',
      `${bundle.clerkBackendBaseline.bytes} (${kb(bundle.clerkBackendBaseline.bytes)})`,
      contributors(bundle.clerkBackendBaseline),
    ],
  ],
)}

Our whole rotation function — Secrets Manager steps, Clerk client, retry policy, logging, notifications — is
${(bundle.ours.bytes / bundle.clerkBackendBaseline.bytes).toFixed(2)}× the size of \`@clerk/backend\`'s client for
the Clerk calls alone.

## 2. Cold init

Each round imports, in a fresh \`node\` process, the handler bundle (AWS SDK bundled, ${kb(coldInit.handlerBytes)})
and the floor: a bundle of only the SDK client and commands the handler's cold path uses, Secrets Manager's
(\`bench/fixtures/awsSdkFloor.ts\`, ${kb(coldInit.floorBytes)}), timed with \`performance.now()\` around
\`await import()\`. The two alternate in each round (the first of the pair alternates too) after one unrecorded
warm-up; ${coldInit.rounds} rounds; each probe also reads its process's CPU time (\`process.cpuUsage()\`, user +
system), which the machine's other load disturbs far less than wall time. The handler bundle is the floor plus our
code, so its true ratio is at least 1; a median below 1 is this machine's noise, which the quartiles show. The goal
is judged on the median CPU-time ratio.

${markdownTable(
  ['', 'handler', 'SDK floor', 'ratio'],
  [
    [
      'import, median',
      `${coldInit.handlerMs.toFixed(1)} ms`,
      `${coldInit.floorMs.toFixed(1)} ms`,
      `${coldInit.ratio.toFixed(2)}× (median of per-round ratios; quartiles ${coldInit.ratioQuartiles.map((r) => r.toFixed(2)).join('–')})`,
    ],
    [
      'process start → imported, median',
      `${coldInit.handlerSinceStartMs.toFixed(1)} ms`,
      `${coldInit.floorSinceStartMs.toFixed(1)} ms`,
      `${(coldInit.handlerSinceStartMs / coldInit.floorSinceStartMs).toFixed(2)}×`,
    ],
    [
      'CPU time of the import, median',
      `${coldInit.cpu.aMs.toFixed(1)} ms`,
      `${coldInit.cpu.bMs.toFixed(1)} ms`,
      `${coldInit.cpu.ratio.toFixed(2)}× (median of per-round ratios; quartiles ${coldInit.cpu.ratioQuartiles.map((r) => r.toFixed(2)).join('–')})`,
    ],
  ],
)}

${renderNotifyColdInit(notify)}

## 3. Calls per clean rotation

A fresh local stack (both emulators) per run, one machine, one \`stack.rotate()\`; the stack's rotation function is
wrapped (\`startLocalStack\`'s \`wrapHandler\`) so that every audit-log entry written while a step runs is attributed to
that step. ${calls.runs} runs, ${calls.identicalRuns ? 'all identical' : '**not identical** (medians shown)'}.

${markdownTable(
  ['step', 'AWS', 'AWS calls', 'Clerk', 'Clerk calls', 'instance key'],
  [
    ...calls.steps.map((s) => [
      s.step,
      String(s.awsTotal),
      counts(s.aws),
      String(s.clerkTotal),
      counts(s.clerk),
      String(s.clerkInstanceKey),
    ]),
    ['**total**', `**${calls.awsTotal}**`, '', `**${calls.clerkTotal}**`, '', String(calls.clerkInstanceKeyTotal)],
  ],
)}

Outside the steps the caller made: ${counts(calls.outsideSteps)}.

## 4. Fleet

${run.secrets} secrets get their first rotation (RotateSecret with the function's ARN and RotateImmediately: the four
steps \`stack.rotate()\` runs), at most ${run.concurrency} in flight, through the local stack: both emulators and the
real handler over HTTP, in one process. Clerk's development limit (${run.limit} requests per 10 s per instance key)
is compressed **${run.scale}×**: one window is ${seconds(run.windowMs)} of real time.
${
  run.scaling === 'time'
    ? `Time itself is compressed, not just the window: the emulators' clock runs ${run.scale}× faster, and so do the
handler's clock, its \`Retry-After\` sleep and its retry backoff. Clerk's \`Retry-After\` is in whole seconds, a
tenth of Clerk's window; were only the window shortened, one second would be ${run.scale / 10} of a window (10 windows
at 100×), and the run would measure the scaling rather than the rotator.`
    : `Only the window is shortened (the stack as shipped, its own handler, real-time retries): Clerk's whole-second
\`Retry-After\` is ${run.scale / 10} of a scaled window here, against a tenth of a window at Clerk.`
}

The floor is the earliest the limit lets the last rotation's last instance-key call out: ${calls.clerkInstanceKeyTotal}
instance-key calls per rotation (the machine-key call has a bucket per machine) fill
⌈${run.secrets * calls.clerkInstanceKeyTotal} ÷ ${run.limit}⌉ fixed windows, the first of which opens at once.

Why ${run.scale}×: in AWS every rotation runs in its own Lambda, here all of them share this machine's CPU. A short
unlimited run (${calibration.secrets} rotations, ${seconds(calibration.totalMs)}) managed
${fleet.scaleChoice.unlimitedRotationsPerSecond.toFixed(1)} rotations/s. ${
    fleet.scaleChoice.chosenBy === 'calibration'
      ? `The bench picks the largest compression (≤ 100×) whose limit allows at most two thirds of that
(${fleet.scaleChoice.limitRotationsPerSecond.toFixed(1)} rotations/s), so that the run measures the rate limit and not
the CPU; a faster machine gets a larger compression and a shorter run.`
      : `The compression was set with \`--fleet-scale\`: the limit allows ${fleet.scaleChoice.limitRotationsPerSecond.toFixed(
          1,
        )} rotations/s${
          fleet.scaleChoice.limitRotationsPerSecond * 1.5 > fleet.scaleChoice.unlimitedRotationsPerSecond
            ? ', more than this machine manages with headroom: the result is bound by the CPU, not the limit'
            : ''
        }.`
  }

${markdownTable(
  ['', 'value'],
  [
    ['total', seconds(run.totalMs)],
    ['rate-limit floor', seconds(run.floorMs)],
    ['ratio', `${run.ratio.toFixed(2)}×`],
    ['failed rotations', String(run.failures)],
    ['double rotations (API rotations per machine > 1)', String(run.doubleRotations)],
    ["AWSCURRENT ≠ Clerk's current key afterwards", String(run.inconsistent)],
    ['rotations Secrets Manager had to re-run from createSecret', String(run.retriedRotations)],
    ['Clerk calls (instance key)', `${run.clerkCalls} (${run.clerkInstanceKeyCalls})`],
    ['Clerk 429s', String(run.clerk429s)],
    ['Secrets Manager calls (RotateSecret included)', String(run.awsCalls)],
  ],
)}

Uncompressed, against a Clerk development instance, the same run would take about
${((run.totalMs * run.scale) / 60_000).toFixed(1)} minutes for ${run.secrets} machines (floor
${((run.floorMs * run.scale) / 60_000).toFixed(1)} minutes); a production instance allows ten times the rate.

![Completed rotations over time against the rate-limit floor](fleet.svg)

${renderFaultyFleet(results)}

## 5. Reader

\`scripts/bench-reader.ts\` (\`measureReader()\`), ${reader.runs} runs; Secrets Manager is faked in-process with a
5 ms latency for cold reads. Medians: hot \`provider.get()\` ${(reader.hotReadsPerSecond / 1e6).toFixed(2)} M/s
against \`await Map.get\` ${(reader.awaitedMapGetPerSecond / 1e6).toFixed(2)} M/s and \`Map.get\`
${(reader.mapGetPerSecond / 1e6).toFixed(1)} M/s; ${reader.callsPerSimulatedHour} GetSecretValue per simulated hour;
at most ${reader.coldFetchesMax} fetch for 10,000 concurrent cold reads. The last run:

${renderReaderTable(reader.last)}

${renderReaderPeers(results)}

${results.timeToHeal === undefined ? '' : renderTimeToHeal(results.timeToHeal, results.timeToHeal.command)}

${renderVerification(results)}

${results.rateBudget === undefined ? '' : renderRateBudget(results.rateBudget, results.command)}

## Section times

${markdownTable(
  ['section', 'wall time'],
  Object.entries(results.sectionMs).map(([section, ms]) => [section, seconds(ms)]),
)}
`;
}
