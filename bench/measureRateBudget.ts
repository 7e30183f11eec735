import { computeRateBudget } from '../lib/budget/computeRateBudget.ts';
import { type RotationRulesText, readRotationWindows } from '../lib/budget/readRotationWindows.ts';
import { staggerRotationRules } from '../lib/budget/staggerRotationRules.ts';
import { createSeededRandom } from '../localstack/common/seededRandom.ts';
import { median } from './median.ts';
import {
  fixedPeak,
  mergeSorted,
  type SimulatedInstance,
  type SimulatedMachine,
  simulateClerkMonth,
  slidingPeak,
} from './simulateClerkMonth.ts';

/** The simulated fleet: 10,000 machines on three Clerk instances, one of them with staggered windows. */
export const FLEET_INSTANCES: readonly (SimulatedInstance & {
  readonly machines: number;
  readonly staggered: boolean;
})[] = [
  {
    id: 'prod-main',
    ratePer10Seconds: 1000,
    machines: 7000,
    staggered: false,
    verificationIntervalSeconds: 3600,
    verificationShare: 0.1,
  },
  {
    id: 'prod-eu (staggered)',
    ratePer10Seconds: 1000,
    machines: 2500,
    staggered: true,
    verificationIntervalSeconds: 3600,
    verificationShare: 0.1,
  },
  {
    id: 'dev',
    ratePer10Seconds: 100,
    machines: 500,
    staggered: false,
    verificationIntervalSeconds: 3600,
    verificationShare: 0.1,
  },
];

/** Of every 20 machines: 12 every 30 days (the default), 4 weekly in 4-hour windows, 3 twice a day, 1 daily at 06:00. */
function scheduleOf(index: number): RotationRulesText {
  const slot = index % 20;
  if (slot < 12) return { scheduleExpression: 'rate(30 days)' };
  if (slot < 16) return { scheduleExpression: 'rate(7 days)', duration: '4h' };
  if (slot < 19) return { scheduleExpression: 'rate(12 hours)', duration: '2h' };
  return { scheduleExpression: 'cron(0 6 * * ? *)', duration: '3h' };
}

export function simulatedFleet(): SimulatedMachine[] {
  return FLEET_INSTANCES.flatMap((instance) =>
    Array.from({ length: instance.machines }, (_, index) => {
      const rules = scheduleOf(index);
      const id = `mch_${instance.id.replace(/\W/g, '')}${index}`;
      return { instance: instance.id, rules: instance.staggered ? staggerRotationRules(rules, id).rules : rules };
    }),
  );
}

export interface InstanceComparison {
  readonly instance: string;
  readonly machines: number;
  readonly ratePer10Seconds: number;
  readonly predicted: {
    readonly expectedPer10Seconds: number;
    readonly typicalRotationPeak: number;
    readonly rotationPeak: number;
    readonly verification: number;
    readonly peak: number;
  };
  /** Over the simulated months: each month's busiest 10 s of rotation calls (sliding windows), and of all calls. */
  readonly observed: {
    readonly rotationPeaks: readonly number[];
    readonly rotationPeakMedian: number;
    readonly rotationPeakMax: number;
    readonly monthsOverPrediction: number;
    readonly verificationPeak: number;
    /** The first month, rotations and verification together. */
    readonly peak: number;
    readonly peakFixedWindows: number;
  };
}

export interface RateBudgetMeasurement {
  readonly machines: number;
  readonly days: number;
  readonly months: number;
  readonly seed: number;
  readonly instances: readonly InstanceComparison[];
  readonly durationMs: number;
}

function predict(fleet: readonly SimulatedMachine[]) {
  return computeRateBudget({
    machines: fleet.map((machine, index) => {
      const read = readRotationWindows(machine.rules);
      if (!read.ok) throw new Error(read.reason);
      return { name: String(index), instance: machine.instance, windows: read.windows, verifier: machine.instance };
    }),
    limitsOf: (id) => ({
      ratePer10Seconds: FLEET_INSTANCES.find((instance) => instance.id === id)?.ratePer10Seconds ?? 0,
      appsShare: 0.5,
    }),
    verifiers: new Map(
      FLEET_INSTANCES.map((instance) => [
        instance.id,
        { intervalSeconds: instance.verificationIntervalSeconds, clerkRateShare: instance.verificationShare },
      ]),
    ),
  });
}

/**
 * Simulates `months` months of the fleet (a fresh draw of every rotation each month) and compares each instance's
 * observed busiest 10 s with what lib/budget predicts for it.
 */
export function measureRateBudget(months = 12, seed = 2026): RateBudgetMeasurement {
  const started = performance.now();
  const days = 30;
  const fleet = simulatedFleet();
  const budget = predict(fleet);
  const random = createSeededRandom(seed);
  const rotationPeaks = new Map<string, number[]>();
  const firstMonth = new Map<string, { peak: number; fixed: number; verification: number }>();
  for (let month = 0; month < months; month++) {
    const calls = simulateClerkMonth(fleet, FLEET_INSTANCES, { days, random });
    for (const [instance, { rotations, verification }] of calls) {
      rotationPeaks.set(instance, [...(rotationPeaks.get(instance) ?? []), slidingPeak(rotations)]);
      if (month === 0) {
        const all = mergeSorted(rotations, verification);
        firstMonth.set(instance, {
          peak: slidingPeak(all),
          fixed: fixedPeak(all),
          verification: slidingPeak(verification),
        });
      }
    }
  }
  const instances = budget.instances.map((predicted): InstanceComparison => {
    const peaks = rotationPeaks.get(predicted.instance) ?? [];
    const first = firstMonth.get(predicted.instance);
    return {
      instance: predicted.instance,
      machines: predicted.machines,
      ratePer10Seconds: predicted.rateLimit,
      predicted: {
        expectedPer10Seconds: predicted.expectedPer10Seconds,
        typicalRotationPeak: predicted.typicalRotationPeakPer10Seconds,
        rotationPeak: predicted.rotationPeakPer10Seconds,
        verification: predicted.verificationPer10Seconds,
        peak: predicted.predictedPeakPer10Seconds,
      },
      observed: {
        rotationPeaks: peaks,
        rotationPeakMedian: median(peaks),
        rotationPeakMax: Math.max(...peaks),
        monthsOverPrediction: peaks.filter((peak) => peak > predicted.rotationPeakPer10Seconds).length,
        verificationPeak: first?.verification ?? 0,
        peak: first?.peak ?? 0,
        peakFixedWindows: first?.fixed ?? 0,
      },
    };
  });
  return { machines: fleet.length, days, months, seed, instances, durationMs: performance.now() - started };
}
