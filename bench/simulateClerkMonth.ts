import type { RotationRulesText } from '../lib/budget/readRotationWindows.ts';
import { readRotationWindows } from '../lib/budget/readRotationWindows.ts';

const DAY = 86_400;
const HOUR = 3600;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface SimulatedMachine {
  readonly instance: string;
  readonly rules: RotationRulesText;
}

export interface SimulatedInstance {
  readonly id: string;
  /** Declared limit, per 10 s: the verification is paced to `verificationShare` of it. */
  readonly ratePer10Seconds: number;
  readonly verificationIntervalSeconds: number;
  readonly verificationShare: number;
}

/** Every Clerk call of one instance over the simulated days, seconds from the first midnight, sorted. */
export interface InstanceCalls {
  readonly rotations: Float64Array;
  readonly verification: Float64Array;
}

/** Days (from 0, a Sunday) on which a schedule has windows; every machine of a `rate(N days)` starts on day 0. */
function rotationDays(rules: RotationRulesText, cadenceDays: number, days: number): number[] {
  const dayOfWeek = /^cron\(\S+ \S+ \S+ \S+ (\S+) \S+\)$/.exec(rules.scheduleExpression ?? '')?.[1];
  const weekday = dayOfWeek === undefined ? -1 : WEEKDAYS.indexOf(dayOfWeek);
  const result: number[] = [];
  for (let day = 0; day < days; day++) {
    if (weekday >= 0 ? day % 7 === weekday : day % Math.max(1, Math.round(cadenceDays)) === 0) result.push(day);
  }
  return result;
}

/**
 * One rotation's Clerk calls as the steps make them: createSecret reads the key and rotates (150 ms apart), testSecret
 * lists tokens 0.5–2.5 s later (Secrets Manager invokes setSecret and testSecret in between), finishSecret checks the
 * key 0.2–1 s after that. The draws are an assumption about step latency, not a measurement of AWS.
 */
function rotationCalls(start: number, random: () => number): number[] {
  const test = start + 0.15 + 0.5 + 2 * random();
  return [start, start + 0.15, test, test + 0.2 + 0.8 * random()];
}

/**
 * A month (or `days`) of one fleet's Clerk calls, drawn the way Secrets Manager draws rotations: each machine rotates
 * once in each of its windows, at a uniformly random moment inside it; each instance's verification runs every
 * interval from a random phase (an EventBridge rate schedule starts when it is deployed), one call per machine, paced
 * `interval` apart (lib/verification/createRatePacer.ts).
 */
export function simulateClerkMonth(
  machines: readonly SimulatedMachine[],
  instances: readonly SimulatedInstance[],
  options: { readonly days: number; readonly random: () => number },
): Map<string, InstanceCalls> {
  const { days, random } = options;
  const rotations = new Map<string, number[]>();
  const counts = new Map<string, number>();
  for (const machine of machines) {
    const read = readRotationWindows(machine.rules);
    if (!read.ok) throw new Error(`${JSON.stringify(machine.rules)}: ${read.reason}`);
    const { openingHours, windowHours, cadenceDays } = read.windows;
    const calls = rotations.get(machine.instance) ?? [];
    for (const day of rotationDays(machine.rules, cadenceDays, days)) {
      for (const opens of openingHours) {
        const length = Math.min(windowHours, 24 - opens) * HOUR;
        calls.push(...rotationCalls(day * DAY + opens * HOUR + random() * length, random));
      }
    }
    rotations.set(machine.instance, calls);
    counts.set(machine.instance, (counts.get(machine.instance) ?? 0) + 1);
  }
  const result = new Map<string, InstanceCalls>();
  for (const instance of instances) {
    const machineCount = counts.get(instance.id) ?? 0;
    const gap = 10 / (instance.ratePer10Seconds * instance.verificationShare);
    const runs = Math.ceil((days * DAY) / instance.verificationIntervalSeconds);
    const phase = random() * instance.verificationIntervalSeconds;
    const verification = new Float64Array(runs * machineCount);
    for (let run = 0; run < runs; run++) {
      for (let k = 0; k < machineCount; k++) {
        verification[run * machineCount + k] = phase + run * instance.verificationIntervalSeconds + k * gap;
      }
    }
    result.set(instance.id, {
      rotations: Float64Array.from(rotations.get(instance.id) ?? []).sort(),
      verification: verification.sort(),
    });
  }
  return result;
}

/**
 * The most calls any window [t, t + width) holds: Clerk's "per 10 s" read as any 10 s. Calls a whole window apart
 * fall in different windows, also when floating point puts them a hair closer (the paced verification's).
 */
export function slidingPeak(sorted: Float64Array, width = 10): number {
  let peak = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= width - 1e-6) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** The most calls in one of the fixed windows [10k, 10k + 10): Clerk's "per 10 s" read as clock-aligned buckets. */
export function fixedPeak(sorted: Float64Array, width = 10): number {
  let peak = 0;
  let bucket = Number.NaN;
  let count = 0;
  for (const time of sorted) {
    const index = Math.floor(time / width);
    count = index === bucket ? count + 1 : 1;
    bucket = index;
    peak = Math.max(peak, count);
  }
  return peak;
}

/** Two sorted arrays as one. */
export function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const merged = new Float64Array(a.length + b.length);
  merged.set(a);
  merged.set(b, a.length);
  return merged.sort();
}
