import { markdownTable } from './markdownTable.ts';
import { FLEET_INSTANCES, type RateBudgetMeasurement } from './measureRateBudget.ts';

const count = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** Section 6 of bench/results.md: the month simulation against the budget's prediction. */
export function renderRateBudget(measured: RateBudgetMeasurement, command: string): string {
  const rows = measured.instances.map((instance) => {
    const { predicted, observed } = instance;
    return [
      instance.instance,
      String(instance.machines),
      String(instance.ratePer10Seconds),
      count(predicted.expectedPer10Seconds),
      `${predicted.typicalRotationPeak} / ${predicted.rotationPeak}`,
      `${count(observed.rotationPeakMedian)} / ${observed.rotationPeakMax}`,
      `${observed.monthsOverPrediction} of ${measured.months}`,
      `${count(predicted.verification)} / ${observed.verificationPeak}`,
      `${predicted.peak} / ${observed.peak} (${observed.peakFixedWindows} in clock-aligned windows)`,
    ];
  });
  const fleet = FLEET_INSTANCES.map(
    (instance) =>
      `${instance.id}: ${instance.machines} machines, limit ${instance.ratePer10Seconds} per 10 s${instance.staggered ? ', windows staggered (`staggerWindows`)' : ''}`,
  ).join('; ');
  return `## 8. Clerk rate budget: a simulated month

\`bench/measureRateBudget.ts\` (measured by \`${command}\` in ${(measured.durationMs / 1000).toFixed(1)} s). A fleet of
${measured.machines.toLocaleString('en-US')} machines — ${fleet} — where of every 20 machines 12 rotate every 30 days
(the default 24-hour window), 4 weekly in 4-hour windows, 3 every 12 hours in 2-hour windows and 1 daily at 06:00 in a
3-hour window; each instance verified hourly at 10 % of its limit. \`bench/simulateClerkMonth.ts\` draws ${measured.months}
months of ${measured.days} days (seed ${measured.seed}) the way Secrets Manager draws rotations: one at a uniformly random
moment in each window (machines of one \`rate(N days)\` schedule rotating on the same days, as after one deploy), each
with its 4 Clerk calls spread over the steps (createSecret's two 150 ms apart, testSecret's 0.5–2.5 s later,
finishSecret's 0.2–1 s after that: an assumption about step latency), and each verification run from a random phase,
paced one call per 0.1 s (1 s on dev). It then takes the busiest 10 s — any 10 s, sliding — of each month, and
compares it with \`computeRateBudget\` for the same fleet (\`lib/budget/\`): the rotations' busiest 10 s of a month
exceeded with probability ½ (a usual month) and 1 % (the bound the construct and \`plan\` check), plus the
verification's paced rate.

${markdownTable(
  [
    'instance',
    'machines',
    'limit / 10 s',
    'predicted average, busiest hour',
    'rotations: predicted usual / 1 % bound',
    `rotations: observed median / max of ${measured.months} months`,
    'months over the bound',
    'verification: predicted / observed',
    'all calls, first month: predicted / observed',
  ],
  rows,
)}

The prediction stays above every simulated month; it overstates by what it leaves out on purpose: it counts one
rotation's 4 calls as arriving together, and superposes every machine's windows on one day as often as the shortest
cadence among them recurs (the weekly machines on the days of the twice-daily ones; on the staggered instance, every
weekday's machines on one day). The budget's "1 %" is therefore an upper bound, not a calibrated quantile.
`;
}
