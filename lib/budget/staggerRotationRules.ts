import { type RotationRulesText, readRotationWindows } from './readRotationWindows.ts';
import { staggerSlot } from './staggerSlot.ts';

export type StaggeredRules =
  | { readonly staggered: true; readonly rules: RotationRulesText; readonly slot: number; readonly slots: number }
  | { readonly staggered: false; readonly rules: RotationRulesText; readonly reason: string };

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const RATE_HOURS = /^rate\(\s*(\d+)\s+hours?\s*\)$/;
const RATE_DAYS = /^rate\(\s*(\d+)\s+days?\s*\)$/;

/** Window openings, `window` hours apart, that keep every window of the day inside the day and out of the next. */
function hourOffsets(windowHours: number, everyHours: number): number[] {
  const offsets: number[] = [];
  for (let opens = 0; opens + windowHours <= Math.min(everyHours, 24); opens += windowHours) {
    let last = opens;
    while (last + everyHours <= 23) last += everyHours;
    if (last + windowHours <= 24) offsets.push(opens);
  }
  return offsets;
}

function unchanged(rules: RotationRulesText, reason: string): StaggeredRules {
  return { staggered: false, rules, reason };
}

/**
 * Moves a schedule's windows to a slot chosen by `key` (a machine id), keeping its cadence and window length: a
 * schedule of N hours opens at `o`, `o+N` … (`cron(0 o/N * * ? *)`); a daily one at hour `o`; a weekly one on a
 * weekday and hour. The slots are the window-long steps that keep each window inside its period and the UTC day.
 * Schedules that a `cron()` cannot express with the same cadence (every N days, N other than 1 and 7), or that are
 * already a `cron()` (whose hours someone chose), stay as they are, with the reason.
 */
export function staggerRotationRules(rules: RotationRulesText, key: string): StaggeredRules {
  const read = readRotationWindows(rules);
  if (!read.ok) return unchanged(rules, `its schedule is not understood (${read.reason})`);
  const { windowHours } = read.windows;
  const expression = rules.scheduleExpression?.trim() ?? '';
  if (expression.startsWith('cron(')) return unchanged(rules, 'a cron() schedule keeps the hours it names');
  const duration = `${windowHours}h`;
  const hours = RATE_HOURS.exec(expression);
  if (hours) {
    const every = Number(hours[1]);
    const offsets = hourOffsets(windowHours, every);
    if (offsets.length < 2) return unchanged(rules, `a ${windowHours}-hour window fills its ${every}-hour period`);
    const slot = staggerSlot(key, offsets.length);
    return {
      staggered: true,
      rules: { scheduleExpression: `cron(0 ${offsets[slot]}/${every} * * ? *)`, duration },
      slot,
      slots: offsets.length,
    };
  }
  const days = rules.automaticallyAfterDays ?? Number(RATE_DAYS.exec(expression)?.[1]);
  const offsets = hourOffsets(windowHours, 24);
  if (days === 1 && offsets.length > 1) {
    const slot = staggerSlot(key, offsets.length);
    return {
      staggered: true,
      rules: { scheduleExpression: `cron(0 ${offsets[slot]} * * ? *)`, duration },
      slot,
      slots: offsets.length,
    };
  }
  if (days === 7) {
    const slots = offsets.length * WEEKDAYS.length;
    const slot = staggerSlot(key, slots);
    const weekday = WEEKDAYS[slot % WEEKDAYS.length];
    const opens = offsets[Math.floor(slot / WEEKDAYS.length)];
    return {
      staggered: true,
      rules: { scheduleExpression: `cron(0 ${opens} ? * ${weekday} *)`, duration },
      slot,
      slots,
    };
  }
  if (days === 1) return unchanged(rules, `a ${windowHours}-hour window fills the day`);
  return unchanged(rules, `a cron() cannot rotate every ${days} days`);
}
