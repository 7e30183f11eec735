import { BudgetDefaults, CLERK_CALLS_PER_ROTATION, RATE_WINDOW_SECONDS } from './BudgetDefaults.ts';
import { type PoissonStretch, peakCount } from './peakCount.ts';
import type { RotationWindows } from './readRotationWindows.ts';

const HOUR_SECONDS = 3600;
const WINDOWS_PER_HOUR = HOUR_SECONDS / RATE_WINDOW_SECONDS;

/** One machine secret, as far as the budget is concerned. */
export interface BudgetMachine {
  /** How messages name it (a secret name or construct path). */
  readonly name: string;
  /** The Clerk instance it belongs to: its instance-key secret. */
  readonly instance: string;
  /** Its rotation windows; undefined when it has no scheduled rotations. */
  readonly windows: RotationWindows | undefined;
  /** The verification that checks it (each rotator's verification checks its rotation function's secrets). */
  readonly verifier?: string | undefined;
}

export interface VerifierSettings {
  readonly intervalSeconds: number;
  /** The share of each instance's declared limit its calls are paced to. */
  readonly clerkRateShare: number;
}

export interface InstanceLimits {
  /** The declared limit, requests per 10 seconds. */
  readonly ratePer10Seconds: number;
  /** The share of it kept for the apps. */
  readonly appsShare: number;
}

export interface RateBudgetInput {
  readonly machines: readonly BudgetMachine[];
  readonly limitsOf: (instance: string) => InstanceLimits;
  readonly verifiers: ReadonlyMap<string, VerifierSettings>;
  /** @default BudgetDefaults.horizonDays */
  readonly horizonDays?: number;
  /** @default BudgetDefaults.exceedance */
  readonly exceedance?: number;
  /** @default BudgetDefaults.warnAtShareOfBudget */
  readonly warnAt?: number;
}

/** One hour of the UTC day, on a day when every machine of the instance rotates. */
export interface HourLoad {
  readonly hour: number;
  /** Rotation windows open in this hour. */
  readonly windowsOpen: number;
  /** Clerk calls expected in the hour: rotations and verification runs. */
  readonly expectedCalls: number;
  /** The average per 10 s of the hour's rotations, plus the verification's paced rate. */
  readonly expectedPer10Seconds: number;
  /** The hour's busiest 10 s over the horizon (rotations), plus the verification's paced rate. */
  readonly peakPer10Seconds: number;
}

/** What one verification adds to an instance. */
export interface VerificationShare {
  readonly verifier: string;
  readonly machines: number;
  /** Its paced rate over 10 s, or all its machines when a run is shorter than that. */
  readonly callsPer10Seconds: number;
  readonly runSeconds: number;
}

export type BudgetStatus = 'ok' | 'near' | 'over';

export interface InstanceBudget {
  readonly instance: string;
  readonly machines: number;
  readonly rateLimit: number;
  readonly appsShare: number;
  /** What the rotator may use: the declared limit less the apps' share. */
  readonly budget: number;
  readonly hours: readonly HourLoad[];
  readonly busiestHour: number;
  /** At the busiest hour: the rotations' average per 10 s plus the verification's paced rate. */
  readonly expectedPer10Seconds: number;
  /** The rotations' busiest 10 s over the horizon, exceeded with probability `exceedance`. */
  readonly rotationPeakPer10Seconds: number;
  /** The same, exceeded with probability one half: the usual month. */
  readonly typicalRotationPeakPer10Seconds: number;
  /** Every verification at its paced rate at once. */
  readonly verificationPer10Seconds: number;
  /** Rotation peak plus verification: what is compared with the budget. */
  readonly predictedPeakPer10Seconds: number;
  readonly usage: number;
  readonly status: BudgetStatus;
  readonly verifications: readonly VerificationShare[];
}

/** Whether one verification run fits its interval at its paced rates. */
export interface VerificationRun {
  readonly verifier: string;
  readonly machines: number;
  readonly intervalSeconds: number;
  /** Instances one after the other: the worst order of a run's secrets. */
  readonly runSeconds: number;
  readonly fits: boolean;
  readonly perInstance: readonly {
    readonly instance: string;
    readonly machines: number;
    readonly callsPerSecond: number;
  }[];
}

export interface RateBudget {
  readonly instances: readonly InstanceBudget[];
  readonly verificationRuns: readonly VerificationRun[];
  readonly horizonDays: number;
  readonly exceedance: number;
  readonly warnAt: number;
}

interface HourlyRotations {
  /** Rotations per second expected in each hour. */
  readonly perSecond: number[];
  readonly windowsOpen: number[];
  /** The shortest cadence among the machines open in each hour: how often the hour's load recurs. */
  readonly cadenceDays: number[];
}

/** Every machine's windows on one day: the worst case, when machines that share a schedule rotate on the same days. */
function hourlyRotations(machines: readonly BudgetMachine[]): HourlyRotations {
  const perSecond = new Array<number>(24).fill(0);
  const windowsOpen = new Array<number>(24).fill(0);
  const cadenceDays = new Array<number>(24).fill(Number.POSITIVE_INFINITY);
  for (const { windows } of machines) {
    if (windows === undefined) continue;
    for (const opens of windows.openingHours) {
      // A window never runs into the next UTC day (Secrets Manager refuses one that would).
      const hours = Math.max(1, Math.min(windows.windowHours, 24 - opens));
      for (let h = opens; h < opens + hours; h++) {
        perSecond[h] = (perSecond[h] ?? 0) + 1 / (hours * HOUR_SECONDS);
        windowsOpen[h] = (windowsOpen[h] ?? 0) + 1;
        cadenceDays[h] = Math.min(cadenceDays[h] ?? Number.POSITIVE_INFINITY, windows.cadenceDays);
      }
    }
  }
  return { perSecond, windowsOpen, cadenceDays };
}

function stretchOf(rotations: HourlyRotations, hour: number, horizonDays: number): PoissonStretch {
  const cadence = rotations.cadenceDays[hour] ?? Number.POSITIVE_INFINITY;
  return {
    meanPerWindow: (rotations.perSecond[hour] ?? 0) * RATE_WINDOW_SECONDS,
    windows: WINDOWS_PER_HOUR,
    count: Number.isFinite(cadence) ? Math.ceil(horizonDays / Math.max(cadence, 1)) : 0,
  };
}

function verificationShares(
  machines: readonly BudgetMachine[],
  limits: InstanceLimits,
  verifiers: ReadonlyMap<string, VerifierSettings>,
): VerificationShare[] {
  const counts = new Map<string, number>();
  for (const { verifier } of machines) {
    if (verifier !== undefined && verifiers.has(verifier)) counts.set(verifier, (counts.get(verifier) ?? 0) + 1);
  }
  return [...counts].map(([verifier, count]) => {
    const settings = verifiers.get(verifier) as VerifierSettings;
    const paced = limits.ratePer10Seconds * settings.clerkRateShare;
    return {
      verifier,
      machines: count,
      callsPer10Seconds: Math.min(count, paced),
      runSeconds: (count / paced) * RATE_WINDOW_SECONDS,
    };
  });
}

function instanceBudget(
  instance: string,
  machines: readonly BudgetMachine[],
  input: RateBudgetInput,
  options: { horizonDays: number; exceedance: number; warnAt: number },
): InstanceBudget {
  const limits = input.limitsOf(instance);
  const rotations = hourlyRotations(machines);
  const verifications = verificationShares(machines, limits, input.verifiers);
  const verificationPer10Seconds = verifications.reduce((sum, share) => sum + share.callsPer10Seconds, 0);
  const verificationPerHour = verifications.reduce(
    (sum, share) => sum + (share.machines * HOUR_SECONDS) / (input.verifiers.get(share.verifier)?.intervalSeconds ?? 1),
    0,
  );
  const stretches = Array.from({ length: 24 }, (_, hour) => stretchOf(rotations, hour, options.horizonDays));
  const hours: HourLoad[] = stretches.map((stretch, hour) => ({
    hour,
    windowsOpen: rotations.windowsOpen[hour] ?? 0,
    expectedCalls: CLERK_CALLS_PER_ROTATION * stretch.meanPerWindow * WINDOWS_PER_HOUR + verificationPerHour,
    expectedPer10Seconds: CLERK_CALLS_PER_ROTATION * stretch.meanPerWindow + verificationPer10Seconds,
    peakPer10Seconds:
      CLERK_CALLS_PER_ROTATION * Math.min(peakCount([stretch], options.exceedance), rotations.windowsOpen[hour] ?? 0) +
      verificationPer10Seconds,
  }));
  // The hour with the highest peak; among equal peaks, the highest average.
  const busier = (a: HourLoad, b: HourLoad) =>
    a.peakPer10Seconds > b.peakPer10Seconds ||
    (a.peakPer10Seconds === b.peakPer10Seconds && a.expectedPer10Seconds > b.expectedPer10Seconds);
  const busiestHour = hours.reduce((best, load) => (busier(load, best) ? load : best)).hour;
  // No more rotations at once than windows open at once (a machine rotates once per window): the Poisson reading
  // overstates a handful of machines.
  const mostOpen = Math.max(...rotations.windowsOpen);
  const rotationPeakPer10Seconds =
    CLERK_CALLS_PER_ROTATION * Math.min(peakCount(stretches, options.exceedance), mostOpen);
  const predictedPeakPer10Seconds = rotationPeakPer10Seconds + verificationPer10Seconds;
  const budget = limits.ratePer10Seconds * (1 - limits.appsShare);
  const usage = budget > 0 ? predictedPeakPer10Seconds / budget : Number.POSITIVE_INFINITY;
  return {
    instance,
    machines: machines.length,
    rateLimit: limits.ratePer10Seconds,
    appsShare: limits.appsShare,
    budget,
    hours,
    busiestHour,
    expectedPer10Seconds: Math.max(...hours.map((load) => load.expectedPer10Seconds)),
    rotationPeakPer10Seconds,
    typicalRotationPeakPer10Seconds: CLERK_CALLS_PER_ROTATION * Math.min(peakCount(stretches, 0.5), mostOpen),
    verificationPer10Seconds,
    predictedPeakPer10Seconds,
    usage,
    status: usage > 1 ? 'over' : usage >= options.warnAt ? 'near' : 'ok',
    verifications,
  };
}

function verificationRuns(budget: readonly InstanceBudget[], input: RateBudgetInput): VerificationRun[] {
  return [...input.verifiers].flatMap(([verifier, settings]) => {
    const perInstance = budget.flatMap((instance) =>
      instance.verifications
        .filter((share) => share.verifier === verifier)
        .map((share) => ({
          instance: instance.instance,
          machines: share.machines,
          callsPerSecond: (instance.rateLimit * settings.clerkRateShare) / RATE_WINDOW_SECONDS,
          runSeconds: share.runSeconds,
        })),
    );
    if (perInstance.length === 0) return [];
    const runSeconds = perInstance.reduce((sum, part) => sum + part.runSeconds, 0);
    return [
      {
        verifier,
        machines: perInstance.reduce((sum, part) => sum + part.machines, 0),
        intervalSeconds: settings.intervalSeconds,
        runSeconds,
        fits: runSeconds <= settings.intervalSeconds,
        perInstance: perInstance.map(({ instance, machines, callsPerSecond }) => ({
          instance,
          machines,
          callsPerSecond,
        })),
      },
    ];
  });
}

/**
 * The Clerk calls the rotator makes per instance: rotations drawn uniformly inside each machine's windows (windows
 * that overlap add up; machines of one schedule are assumed to rotate on the same days, as a fleet deployed together
 * does), 4 calls each, and each verification at its paced rate; the busiest 10 s of the horizon against the
 * declared limit less the apps' share. docs/decisions/014-rate-budget.md explains the model.
 */
export function computeRateBudget(input: RateBudgetInput): RateBudget {
  const options = {
    horizonDays: input.horizonDays ?? BudgetDefaults.horizonDays,
    exceedance: input.exceedance ?? BudgetDefaults.exceedance,
    warnAt: input.warnAt ?? BudgetDefaults.warnAtShareOfBudget,
  };
  const byInstance = new Map<string, BudgetMachine[]>();
  for (const machine of input.machines) {
    const list = byInstance.get(machine.instance) ?? [];
    list.push(machine);
    byInstance.set(machine.instance, list);
  }
  const instances = [...byInstance].map(([instance, machines]) => instanceBudget(instance, machines, input, options));
  return { instances, verificationRuns: verificationRuns(instances, input), ...options };
}
