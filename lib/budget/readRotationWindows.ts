/**
 * When a secret's rotation windows open, read from its RotationRules as Secrets Manager documents them: a window
 * opens on the hour (a `rate()` window at midnight UTC, a `cron()` window at its hours) and lasts `Duration`, by
 * default one hour for a schedule in hours and until the end of the UTC day for a schedule in days. Secrets Manager
 * starts the rotation at a random moment inside the window. A `cron()` with hour increments resets each day, and so
 * (we assume) does a `rate()` in hours: windows at 0, N, 2N … hours UTC.
 */

/** RotationRules as DescribeSecret, ListSecrets and CloudFormation spell them (strings and numbers only). */
export interface RotationRulesText {
  readonly scheduleExpression?: string | undefined;
  readonly automaticallyAfterDays?: number | undefined;
  readonly duration?: string | undefined;
}

/** A schedule's windows over one UTC day, and how many days apart the days with windows are. */
export interface RotationWindows {
  /** Hours of the UTC day (0–23) at which a window opens, ascending. */
  readonly openingHours: readonly number[];
  /** How long each window lasts, in whole hours. */
  readonly windowHours: number;
  /**
   * Days between two days with windows: 1 for schedules in hours and daily ones, N for `rate(N days)`; for a
   * `cron()` restricted to some days, the average (7 for one weekday, 30 for one day of the month).
   */
  readonly cadenceDays: number;
}

export type ReadWindows =
  | { readonly ok: true; readonly windows: RotationWindows }
  | { readonly ok: false; readonly reason: string };

const RATE = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/;
const CRON = /^cron\((.*)\)$/;
const DURATION = /^(\d+)h$/;

function hour(text: string): number | undefined {
  return /^\d{1,2}$/.test(text) && Number(text) <= 23 ? Number(text) : undefined;
}

/** One comma-separated part of a cron hours field: `H`, `*`, `A-B`, with an optional `/step`. */
function hoursOfPart(part: string): number[] | undefined {
  const [range = '', stepText] = part.split('/');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) return undefined;
  let from: number | undefined;
  let to: number | undefined;
  if (range === '*') [from, to] = [0, 23];
  else if (range.includes('-')) [from, to] = range.split('-').map(hour);
  else [from, to] = [hour(range), stepText === undefined ? hour(range) : 23];
  if (from === undefined || to === undefined || to < from) return undefined;
  const hours: number[] = [];
  for (let h = from; h <= to; h += step) hours.push(h);
  return hours;
}

function cronOpeningHours(field: string): number[] | undefined {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const found = hoursOfPart(part);
    if (found === undefined) return undefined;
    for (const h of found) hours.add(h);
  }
  return [...hours].sort((a, b) => a - b);
}

/** Days between windows of a cron schedule's day fields; an average where the calendar makes it uneven. */
function cronCadenceDays(dayOfMonth: string, dayOfWeek: string): number {
  const any = (field: string) => field === '*' || field === '?';
  if (any(dayOfMonth) && any(dayOfWeek)) return 1;
  if (!any(dayOfWeek)) return 7 / Math.max(1, dayOfWeek.split(',').length);
  const stepped = /^(?:\d+|\*)\/(\d+)$/.exec(dayOfMonth);
  if (stepped) return Math.max(1, Number(stepped[1]));
  return 30 / Math.max(1, dayOfMonth.split(',').length);
}

function readSchedule(
  rules: RotationRulesText,
): { openingHours: number[]; inHours: boolean; cadenceDays: number } | string {
  const expression = rules.scheduleExpression?.trim();
  if (expression === undefined || expression === '') {
    const days = rules.automaticallyAfterDays;
    if (days === undefined || !Number.isInteger(days) || days < 1) return 'no schedule expression or days';
    return { openingHours: [0], inHours: false, cadenceDays: days };
  }
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return `a rate of ${value}`;
    if ((rate[2] ?? '').startsWith('day')) return { openingHours: [0], inHours: false, cadenceDays: value };
    const openingHours: number[] = [];
    for (let h = 0; h < 24; h += value) openingHours.push(h);
    return { openingHours, inHours: true, cadenceDays: 1 };
  }
  const cron = CRON.exec(expression);
  const fields = cron ? (cron[1] ?? '').trim().split(/\s+/) : [];
  if (fields.length !== 6) return `not rate(N hours|days) or cron() with 6 fields: ${JSON.stringify(expression)}`;
  const openingHours = cronOpeningHours(fields[1] ?? '');
  if (openingHours === undefined || openingHours.length === 0) {
    return `cron() hours field not read: ${JSON.stringify(fields[1])}`;
  }
  return {
    openingHours,
    inHours: openingHours.length > 1,
    cadenceDays: cronCadenceDays(fields[2] ?? '*', fields[4] ?? '?'),
  };
}

/** Reads the windows of a schedule; `ok: false` with a reason for a form it does not understand. */
export function readRotationWindows(rules: RotationRulesText): ReadWindows {
  const schedule = readSchedule(rules);
  if (typeof schedule === 'string') return { ok: false, reason: schedule };
  const duration = rules.duration?.trim();
  let windowHours: number;
  if (duration === undefined || duration === '') {
    // Secrets Manager's default: one hour for a schedule in hours, the rest of the UTC day for one in days.
    windowHours = schedule.inHours ? 1 : 24 - (schedule.openingHours[0] ?? 0);
  } else {
    const match = DURATION.exec(duration);
    windowHours = match ? Number(match[1]) : Number.NaN;
    if (!(windowHours >= 1 && windowHours <= 24)) {
      return { ok: false, reason: `window duration not 1h–24h: ${JSON.stringify(duration)}` };
    }
  }
  return { ok: true, windows: { openingHours: schedule.openingHours, windowHours, cadenceDays: schedule.cadenceDays } };
}
