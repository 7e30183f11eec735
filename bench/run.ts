/**
 * The performance report: bundle size, cold init, calls per rotation, a fleet of 1000 rotations under Clerk's rate
 * limit (clean, and with faults in worker threads), the reader (and Powertools' beside it), one verification run over
 * 10,000 machines, the time to heal a dashboard rotation — each against a baseline run beside it on this machine —
 * and a simulated month of a 10,000-machine fleet against the rate budget's prediction.
 *
 *   npx tsx bench/run.ts [--fleet-scale=<n>] [--fleet-scaling=time|window] [--fleet-secrets=<n>] [--verify-machines=<n>]
 *   npx tsx bench/run.ts --only=time-to-heal     (seconds: measures that alone, merges it into results.json)
 *   npx tsx bench/runRateBudget.ts              (the rate-budget simulation alone, merged into results.json)
 *
 * Writes bench/results.md, bench/results.json, bench/fleet.svg and bench/fleet-faults.svg.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchResults } from './BenchResults.ts';
import { REPO_ROOT } from './bundleEntry.ts';
import { chooseFleetScale } from './chooseFleetScale.ts';
import { describeMachine } from './describeMachine.ts';
import { evaluateGoals } from './evaluateGoals.ts';
import { measureBundle } from './measureBundle.ts';
import { measureColdInit } from './measureColdInit.ts';
import { measureFaultyFleet } from './measureFaultyFleet.ts';
import { type FleetScaling, measureFleet } from './measureFleet.ts';
import { measureNotifyColdInit } from './measureNotifyColdInit.ts';
import { measureRateBudget } from './measureRateBudget.ts';
import { measureReader } from './measureReader.ts';
import { measureReaderPeers } from './measureReaderPeers.ts';
import { measureRotationCalls } from './measureRotationCalls.ts';
import { measureTimeToHeal } from './measureTimeToHeal.ts';
import { measureVerification } from './measureVerification.ts';
import { renderFleetChart } from './renderFleetChart.ts';
import { renderReport } from './renderReport.ts';
import { renderSummaryTable } from './renderSummaryTable.ts';
import { updateTimeToHeal } from './updateTimeToHeal.ts';

const { values: args } = parseArgs({
  options: {
    'fleet-scale': { type: 'string' },
    'fleet-scaling': { type: 'string', default: 'time' },
    'fleet-secrets': { type: 'string', default: '1000' },
    only: { type: 'string' },
    'verify-machines': { type: 'string', default: '10000' },
  },
});
const fleetScaling = args['fleet-scaling'] as FleetScaling;
if (fleetScaling !== 'time' && fleetScaling !== 'window') {
  throw new Error(`--fleet-scaling must be time or window, got ${args['fleet-scaling']}`);
}
const fleetSecrets = Number(args['fleet-secrets']);
const fixedScale = args['fleet-scale'] === undefined ? undefined : Number(args['fleet-scale']);
if (fixedScale !== undefined && !(fixedScale > 0)) {
  throw new Error(`--fleet-scale must be a positive number, got ${args['fleet-scale']}`);
}
if (!Number.isInteger(fleetSecrets) || fleetSecrets < 1) {
  throw new Error(`--fleet-secrets must be a positive integer, got ${args['fleet-secrets']}`);
}
const verifyMachines = Number(args['verify-machines']);
if (!Number.isInteger(verifyMachines) || verifyMachines < 1) {
  throw new Error(`--verify-machines must be a positive integer, got ${args['verify-machines']}`);
}

const log = (line: string) => process.stdout.write(`${line}\n`);
if (args.only !== undefined) {
  if (args.only !== 'time-to-heal') throw new Error(`--only must be time-to-heal, got ${args.only}`);
  const { results, goals } = await updateTimeToHeal(
    join(REPO_ROOT, 'bench'),
    'npx tsx bench/run.ts --only=time-to-heal',
  );
  log(renderSummaryTable(results));
  for (const goal of goals.slice(-1)) log(`${goal.met ? 'met   ' : 'MISSED'}  ${goal.goal}: ${goal.measured}`);
  log('bench/results.md and bench/results.json updated (time to heal only)');
  process.exit(0);
}
const started = performance.now();
const sectionMs: Record<string, number> = {};
async function section<T>(name: string, measure: () => Promise<T>): Promise<T> {
  log(`… ${name}`);
  const sectionStarted = performance.now();
  const result = await measure();
  sectionMs[name] = performance.now() - sectionStarted;
  log(`  ${name}: ${(sectionMs[name] / 1000).toFixed(1)} s`);
  return result;
}

const machine = describeMachine();
log(
  `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, load average ${machine.loadAverage.map((v) => v.toFixed(2)).join(' ')}`,
);

const bundle = await section('bundle', () => measureBundle());
const coldInit = await section('cold init', () => measureColdInit());
const notifyColdInit = await section('cold init with notifications', () => measureNotifyColdInit());
const rotationCalls = await section('calls per rotation', () => measureRotationCalls(5));
const fleet = await section('fleet', async () => {
  const { progress: _, ...calibration } = await measureFleet({ scaling: 'off', secrets: 100 });
  const scaleChoice = chooseFleetScale(
    (calibration.secrets / calibration.totalMs) * 1000,
    rotationCalls.clerkInstanceKeyTotal,
    fixedScale,
  );
  const { scale } = scaleChoice;
  log(
    `  unlimited: ${scaleChoice.unlimitedRotationsPerSecond.toFixed(1)} rotations/s → time compressed ${scale}× (${fleetScaling}-scaled)`,
  );
  const run = await measureFleet({
    scaling: fleetScaling,
    secrets: fleetSecrets,
    scale,
    instanceCallsPerRotation: rotationCalls.clerkInstanceKeyTotal,
  });
  return {
    calibration,
    scaleChoice: {
      ...scaleChoice,
      chosenBy: fixedScale === undefined ? ('calibration' as const) : ('option' as const),
    },
    run,
  };
});
const faultyFleet = await section('fleet with faults', async () => {
  const { progress: _, ...calibration } = await measureFaultyFleet({ secrets: 200 });
  const scaleChoice = chooseFleetScale(
    (calibration.secrets / calibration.totalMs) * 1000,
    rotationCalls.clerkInstanceKeyTotal,
    fixedScale,
  );
  log(
    `  worker threads, unlimited: ${scaleChoice.unlimitedRotationsPerSecond.toFixed(1)} rotations/s → ${scaleChoice.scale}×`,
  );
  const run = await measureFaultyFleet({
    secrets: fleetSecrets,
    scale: scaleChoice.scale,
    instanceCallsPerRotation: rotationCalls.clerkInstanceKeyTotal,
  });
  const chosenBy = fixedScale === undefined ? ('calibration' as const) : ('option' as const);
  return { calibration, scaleChoice: { ...scaleChoice, chosenBy }, run };
});
const reader = await section('reader', () => measureReader(5));
const timeToHeal = await section('time to heal', () => measureTimeToHeal());
const generatedAt = new Date().toISOString();
const command = ['npx tsx bench/run.ts', ...process.argv.slice(2)].join(' ');
const rateBudget = await section('rate budget', async () => measureRateBudget(12));
const readerPeers = await section('reader against Powertools', () => measureReaderPeers());
const verification = await section('verification', () => measureVerification({ machines: verifyMachines }));

const results: BenchResults = {
  generatedAt,
  command,
  durationMs: performance.now() - started,
  machine,
  loadAverageAtEnd: loadavg() as [number, number, number],
  sectionMs,
  bundle,
  coldInit,
  notifyColdInit,
  rotationCalls,
  fleet,
  reader,
  timeToHeal: { ...timeToHeal, command, measuredAt: generatedAt },
  rateBudget,
  faultyFleet,
  verification,
  readerPeers,
};
const goals = evaluateGoals(results);
const benchDir = join(REPO_ROOT, 'bench');
await Promise.all([
  writeFile(join(benchDir, 'results.json'), `${JSON.stringify({ ...results, goals }, null, 2)}\n`),
  writeFile(join(benchDir, 'results.md'), renderReport(results, goals)),
  writeFile(join(benchDir, 'fleet.svg'), renderFleetChart(fleet.run, fleet.scaleChoice.unlimitedRotationsPerSecond)),
  writeFile(
    join(benchDir, 'fleet-faults.svg'),
    renderFleetChart(faultyFleet.run, faultyFleet.scaleChoice.unlimitedRotationsPerSecond, ', with faults'),
  ),
]);

log('');
log(renderSummaryTable(results));
log('');
for (const goal of goals)
  log(`${goal.met ? 'met   ' : 'MISSED'}  ${goal.goal}: ${goal.measured}${goal.note ? ` — ${goal.note}` : ''}`);
log(
  `\nbench/results.md, bench/results.json, bench/fleet.svg, bench/fleet-faults.svg written in ${(results.durationMs / 1000).toFixed(0)} s`,
);
