import { Duration, Token } from 'aws-cdk-lib';
import type { CfnRotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { describeDuration, RotatorPropsError } from './validation.ts';

export const DEFAULT_SCHEDULE_EXPRESSION = 'rate(30 days)';

const MIN_INTERVAL = Duration.hours(4);
const MAX_INTERVAL = Duration.days(1000);
const HOUR_MS = Duration.hours(1).toMilliseconds();
const DAY_MS = Duration.days(1).toMilliseconds();

export interface RotationRulesInput {
  readonly schedule?: Duration;
  readonly scheduleExpression?: string;
  readonly rotationWindow?: Duration;
}

/** What the window checks need to know about a schedule; `undefined` when it cannot be known at synthesis. */
type ScheduleShape =
  | { readonly kind: 'hours'; readonly everyHours: number }
  | { readonly kind: 'days' }
  /** A cron schedule whose window openings (hours of the UTC day) could be read from the hours field. */
  | { readonly kind: 'cron'; readonly openingHours: readonly number[] }
  | undefined;

function rateExpression(value: number, unit: 'hour' | 'day'): string {
  return `rate(${value} ${value === 1 ? unit : `${unit}s`})`;
}

function expressionFromDuration(schedule: Duration): { expression: string; shape: ScheduleShape } {
  if (schedule.isUnresolved()) {
    const unit = schedule.unitLabel();
    if (unit !== 'hours' && unit !== 'days') {
      throw new RotatorPropsError('schedule', `given as a token must be in hours or days, got a token in ${unit}`);
    }
    return { expression: `rate(${schedule.formatTokenToNumber()})`, shape: undefined };
  }
  const millis = schedule.toMilliseconds();
  if (millis < MIN_INTERVAL.toMilliseconds()) {
    throw new RotatorPropsError('schedule', `must be at least 4 hours, got ${describeDuration(schedule)}`);
  }
  if (millis > MAX_INTERVAL.toMilliseconds()) {
    throw new RotatorPropsError('schedule', `must be at most 1000 days, got ${describeDuration(schedule)}`);
  }
  if (millis < DAY_MS) {
    if (millis % HOUR_MS !== 0) {
      throw new RotatorPropsError('schedule', `must be a whole number of hours, got ${describeDuration(schedule)}`);
    }
    const hours = millis / HOUR_MS;
    return { expression: rateExpression(hours, 'hour'), shape: { kind: 'hours', everyHours: hours } };
  }
  if (millis % DAY_MS !== 0) {
    throw new RotatorPropsError(
      'schedule',
      `must be a whole number of days when it is a day or longer, got ${describeDuration(schedule)}`,
    );
  }
  return { expression: rateExpression(millis / DAY_MS, 'day'), shape: { kind: 'days' } };
}

const RATE = /^rate\((\d+) (hours?|days?)\)$/;
const CRON = /^cron\((.*)\)$/;

/** Reads the hours at which a cron window opens, for the forms `H`, `H1,H2,…` and `H/step`; others are not checked. */
function cronOpeningHours(hoursField: string): readonly number[] | undefined {
  const hour = (text: string) => (/^\d{1,2}$/.test(text) && Number(text) <= 23 ? Number(text) : undefined);
  const list = hoursField.split(',').map(hour);
  if (list.every((h) => h !== undefined)) return [...(list as number[])].sort((a, b) => a - b);
  const stepped = /^(\d{1,2})\/(\d{1,2})$/.exec(hoursField);
  if (stepped) {
    const start = hour(stepped[1] ?? '');
    const step = Number(stepped[2]);
    if (start === undefined || step < 1) return undefined;
    const openings: number[] = [];
    for (let h = start; h < 24; h += step) openings.push(h);
    return openings;
  }
  return undefined;
}

function shapeOfExpression(expression: string): ScheduleShape {
  const allowed = 'must be rate(N hours), rate(N days) or cron(0 H D M W *)';
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const inHours = (rate[2] ?? '').startsWith('hour');
    if (inHours) {
      if (value < 4) {
        throw new RotatorPropsError(
          'scheduleExpression',
          `must rotate at most every 4 hours, got ${JSON.stringify(expression)}`,
        );
      }
      return { kind: 'hours', everyHours: value };
    }
    if (value < 1 || value > 1000) {
      throw new RotatorPropsError(
        'scheduleExpression',
        `must be from 1 to 1000 days, got ${JSON.stringify(expression)}`,
      );
    }
    return { kind: 'days' };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new RotatorPropsError(
        'scheduleExpression',
        `cron() must have 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length} in ${JSON.stringify(expression)}`,
      );
    }
    if (fields[0] !== '0') {
      throw new RotatorPropsError(
        'scheduleExpression',
        `cron() minutes must be 0 (rotation windows open on the hour), got ${JSON.stringify(expression)}`,
      );
    }
    if (fields[5] !== '*') {
      throw new RotatorPropsError('scheduleExpression', `cron() year must be *, got ${JSON.stringify(expression)}`);
    }
    const openingHours = cronOpeningHours(fields[1] ?? '');
    return openingHours ? { kind: 'cron', openingHours } : undefined;
  }
  throw new RotatorPropsError('scheduleExpression', `${allowed}, got ${JSON.stringify(expression)}`);
}

function windowDuration(window: Duration, shape: ScheduleShape): string {
  if (window.isUnresolved()) {
    if (window.unitLabel() !== 'hours') {
      throw new RotatorPropsError(
        'rotationWindow',
        `given as a token must be in hours, got a token in ${window.unitLabel()}`,
      );
    }
    return `${window.formatTokenToNumber().split(' ')[0]}h`;
  }
  const millis = window.toMilliseconds();
  if (millis % HOUR_MS !== 0) {
    throw new RotatorPropsError('rotationWindow', `must be a whole number of hours, got ${describeDuration(window)}`);
  }
  const hours = millis / HOUR_MS;
  if (hours < 1)
    throw new RotatorPropsError('rotationWindow', `must be at least 1 hour, got ${describeDuration(window)}`);
  if (hours > 24)
    throw new RotatorPropsError('rotationWindow', `must be at most 24 hours, got ${describeDuration(window)}`);

  if (shape?.kind === 'hours' && hours > shape.everyHours) {
    throw new RotatorPropsError(
      'rotationWindow',
      `must not be longer than the ${shape.everyHours} hours between rotations (it would run into the next window), got ${describeDuration(window)}`,
    );
  }
  if (shape?.kind === 'cron' && shape.openingHours.length > 0) {
    const openings = shape.openingHours;
    for (let i = 0; i < openings.length; i++) {
      const opens = openings[i] ?? 0;
      const next = openings[i + 1] ?? 24;
      if (opens + hours > next) {
        const limit = next === 24 ? 'the end of the UTC day' : `the next window at ${next}:00 UTC`;
        throw new RotatorPropsError(
          'rotationWindow',
          `must end by ${limit}: the window opening at ${opens}:00 UTC can last at most ${next - opens} hours, got ${describeDuration(window)}`,
        );
      }
    }
  }
  return `${hours}h`;
}

/** Validates the schedule props and renders Secrets Manager's rotation rules. */
export function buildRotationRules(input: RotationRulesInput): CfnRotationSchedule.RotationRulesProperty {
  if (input.schedule !== undefined && input.scheduleExpression !== undefined) {
    throw new RotatorPropsError(
      'schedule',
      `and scheduleExpression are mutually exclusive, got both (${describeDuration(input.schedule)} and ${JSON.stringify(input.scheduleExpression)})`,
    );
  }
  let scheduleExpression: string;
  let shape: ScheduleShape;
  if (input.schedule !== undefined) {
    ({ expression: scheduleExpression, shape } = expressionFromDuration(input.schedule));
  } else if (input.scheduleExpression !== undefined) {
    scheduleExpression = input.scheduleExpression;
    shape = Token.isUnresolved(scheduleExpression) ? undefined : shapeOfExpression(scheduleExpression);
  } else {
    scheduleExpression = DEFAULT_SCHEDULE_EXPRESSION;
    shape = { kind: 'days' };
  }
  const duration = input.rotationWindow === undefined ? undefined : windowDuration(input.rotationWindow, shape);
  return duration === undefined ? { scheduleExpression } : { scheduleExpression, duration };
}
