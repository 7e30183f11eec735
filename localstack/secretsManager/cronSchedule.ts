/**
 * Next occurrence of a Secrets Manager `cron(...)` expression: six fields (minutes hours day-of-month month
 * day-of-week year), UTC, day-of-week 1-7 = SUN-SAT. Supports `*`, `?`, numbers, names, ranges, steps and lists; the
 * `L`, `W` and `#` forms answer `undefined` (the expression is still stored and echoed).
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DAY_MS = 86_400_000;
const SEARCH_DAYS = 366 * 5;

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

type FieldMatcher = ReadonlySet<number> | 'any';

const parseValue = (token: string, spec: FieldSpec): number | undefined => {
  const upper = token.toUpperCase();
  const nameIndex = spec.names?.indexOf(upper) ?? -1;
  if (nameIndex >= 0) return nameIndex + spec.min;
  if (!/^\d+$/.test(token)) return undefined;
  const value = Number(token);
  return value >= spec.min && value <= spec.max ? value : undefined;
};

/** Parses one field; `undefined` means "not supported or malformed". */
export const parseCronField = (field: string, spec: FieldSpec): FieldMatcher | undefined => {
  if (field === '*' || field === '?') return 'any';
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [rangePart = '', stepPart] = part.split('/');
    const step = stepPart === undefined ? 1 : Number(stepPart);
    if (!Number.isInteger(step) || step < 1) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (rangePart === '*') {
      from = spec.min;
      to = spec.max;
    } else if (rangePart.includes('-')) {
      const [a = '', b = ''] = rangePart.split('-');
      from = parseValue(a, spec);
      to = parseValue(b, spec);
    } else {
      from = parseValue(rangePart, spec);
      to = stepPart === undefined ? from : spec.max;
    }
    if (from === undefined || to === undefined || from > to) return undefined;
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
};

const matches = (matcher: FieldMatcher, value: number): boolean => matcher === 'any' || matcher.has(value);

export interface CronExpression {
  readonly minutes: FieldMatcher;
  readonly hours: FieldMatcher;
  readonly dayOfMonth: FieldMatcher;
  readonly month: FieldMatcher;
  readonly dayOfWeek: FieldMatcher;
  readonly year: FieldMatcher;
  readonly dayOfMonthIsQuestion: boolean;
}

/** Parses the inside of `cron(...)`; `undefined` when malformed or when it uses a form this evaluator lacks. */
export const parseCronExpression = (body: string): CronExpression | undefined => {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const parsed = {
    minutes: parseCronField(minutes, { min: 0, max: 59 }),
    hours: parseCronField(hours, { min: 0, max: 23 }),
    dayOfMonth: parseCronField(dayOfMonth, { min: 1, max: 31 }),
    month: parseCronField(month, { min: 1, max: 12, names: MONTHS }),
    dayOfWeek: parseCronField(dayOfWeek, { min: 1, max: 7, names: DAYS }),
    year: parseCronField(year, { min: 1970, max: 2199 }),
  };
  if (Object.values(parsed).some((matcher) => matcher === undefined)) return undefined;
  return { ...(parsed as { [K in keyof typeof parsed]: FieldMatcher }), dayOfMonthIsQuestion: dayOfMonth === '?' };
};

const sortedValues = (matcher: FieldMatcher, min: number, max: number): number[] => {
  if (matcher !== 'any') return [...matcher].sort((a, b) => a - b);
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
};

/** The first instant strictly after `afterMs` that the expression selects, or `undefined` within five years. */
export const nextCronOccurrence = (expression: CronExpression, afterMs: number): number | undefined => {
  const hours = sortedValues(expression.hours, 0, 23);
  const minutes = sortedValues(expression.minutes, 0, 59);
  const firstDay = Math.floor(afterMs / DAY_MS) * DAY_MS;
  for (let day = 0; day < SEARCH_DAYS; day += 1) {
    const dayStart = firstDay + day * DAY_MS;
    const date = new Date(dayStart);
    if (!matches(expression.year, date.getUTCFullYear())) continue;
    if (!matches(expression.month, date.getUTCMonth() + 1)) continue;
    const dayMatches = expression.dayOfMonthIsQuestion
      ? matches(expression.dayOfWeek, date.getUTCDay() + 1)
      : matches(expression.dayOfMonth, date.getUTCDate()) && matches(expression.dayOfWeek, date.getUTCDay() + 1);
    if (!dayMatches) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const candidate = dayStart + hour * 3_600_000 + minute * 60_000;
        if (candidate > afterMs) return candidate;
      }
    }
  }
  return undefined;
};
