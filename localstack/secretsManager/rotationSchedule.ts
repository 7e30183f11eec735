import { nextCronOccurrence, parseCronExpression } from './cronSchedule.ts';
import { invalidParameter } from './errors.ts';
import type { RotationRules } from './SecretRecord.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Secrets Manager's shortest rotation interval. */
const MIN_INTERVAL_MS = 4 * HOUR_MS;
const MAX_DAYS = 1000;

const RATE = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/;
const CRON = /^cron\((.*)\)$/;
const DURATION = /^(\d+)h$/;

const describe = (value: unknown): string => JSON.stringify(value) ?? String(value);

interface ParsedRate {
  readonly intervalMs: number;
}

const parseRate = (expression: string): ParsedRate | undefined => {
  const match = RATE.exec(expression);
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = match[2] ?? '';
  // AWS wants the singular for 1 and the plural otherwise.
  if ((count === 1) !== !unit.endsWith('s')) return undefined;
  return { intervalMs: count * (unit.startsWith('hour') ? HOUR_MS : DAY_MS) };
};

/**
 * Validates RotateSecret's RotationRules as Secrets Manager documents them: AutomaticallyAfterDays 1–1000 or a
 * `rate()`/`cron()` ScheduleExpression (not both), intervals of at least 4 hours, and a Duration window of 1–24 hours.
 */
export const validateRotationRules = (input: unknown): RotationRules => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidParameter(`RotationRules must be an object, got ${describe(input)}.`);
  }
  const {
    AutomaticallyAfterDays: days,
    ScheduleExpression: schedule,
    Duration: duration,
  } = input as Record<string, unknown>;
  if (days !== undefined && schedule !== undefined) {
    throw invalidParameter(
      'You can specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules, not both.',
    );
  }
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS)) {
    throw invalidParameter(`RotationRules.AutomaticallyAfterDays must be within 1-1000, got ${describe(days)}.`);
  }
  if (schedule !== undefined) {
    if (typeof schedule !== 'string') throw invalidParameter('RotationRules.ScheduleExpression must be a string.');
    const rate = parseRate(schedule);
    const cron = CRON.exec(schedule);
    if (rate === undefined && cron === null) {
      throw invalidParameter(
        `RotationRules.ScheduleExpression must be rate(N hours|days) or cron(...), got ${describe(schedule)}.`,
      );
    }
    if (rate !== undefined && (rate.intervalMs < MIN_INTERVAL_MS || rate.intervalMs > MAX_DAYS * DAY_MS)) {
      throw invalidParameter(`The rotation interval must be between 4 hours and 1000 days, got ${describe(schedule)}.`);
    }
    if (cron !== null && (cron[1] ?? '').trim().split(/\s+/).length !== 6) {
      throw invalidParameter(`A cron() ScheduleExpression has six fields, got ${describe(schedule)}.`);
    }
  }
  if (duration !== undefined) {
    const match = typeof duration === 'string' ? DURATION.exec(duration) : null;
    const hours = match ? Number(match[1]) : Number.NaN;
    if (!(hours >= 1 && hours <= 24)) {
      throw invalidParameter(`RotationRules.Duration must be 1h to 24h, got ${describe(duration)}.`);
    }
  }
  return {
    ...(days !== undefined ? { AutomaticallyAfterDays: days as number } : {}),
    ...(schedule !== undefined ? { ScheduleExpression: schedule as string } : {}),
    ...(duration !== undefined ? { Duration: duration as string } : {}),
  };
};

/**
 * When the next scheduled rotation is due, counted from `baseMs` (the last rotation, or when rotation was
 * configured). Days and rates add their interval; cron expressions take the next matching minute. `undefined` when no
 * schedule is set or the cron form is not supported by the evaluator.
 */
export const nextRotationDate = (rules: RotationRules | undefined, baseMs: number): number | undefined => {
  if (rules === undefined) return undefined;
  if (rules.AutomaticallyAfterDays !== undefined) return baseMs + rules.AutomaticallyAfterDays * DAY_MS;
  const schedule = rules.ScheduleExpression;
  if (schedule === undefined) return undefined;
  const rate = parseRate(schedule);
  if (rate !== undefined) return baseMs + rate.intervalMs;
  const cron = CRON.exec(schedule);
  const parsed = cron ? parseCronExpression(cron[1] ?? '') : undefined;
  return parsed ? nextCronOccurrence(parsed, baseMs) : undefined;
};
