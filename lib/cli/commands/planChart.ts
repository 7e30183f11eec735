import type { InstanceBudget } from '../../budget/computeRateBudget.ts';
import { formatCount } from '../../budget/describeBudgetProblems.ts';
import { type Line, tone } from '../createOutput.ts';

/** Cells of the bar that stand for the declared limit. */
export const CHART_WIDTH = 40;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;
const BUDGET_MARK = '│';

/** A bar of `value` against `scale` in CHART_WIDTH cells (eighths of a cell), with the budget marked where the bar stops short of it. */
export function chartBar(value: number, scale: number, budget: number): string {
  const eighths = Math.round((Math.min(value, scale) / scale) * CHART_WIDTH * 8);
  const cells = [...'█'.repeat(Math.floor(eighths / 8)), EIGHTHS[eighths % 8] ?? ''].filter((cell) => cell !== '');
  const mark = Math.min(CHART_WIDTH - 1, Math.floor((budget / scale) * CHART_WIDTH));
  const row = Array.from({ length: CHART_WIDTH }, (_, i) => cells[i] ?? (i === mark ? BUDGET_MARK : ' '));
  return `${row.join('')}${value > scale ? '▶' : ' '}`;
}

/**
 * The instance's day, hour by hour (UTC): each hour's busiest 10 s against the declared limit (the bar's full width;
 * │ marks the rotator's budget), and the Clerk calls expected in the hour.
 */
export function chartLines(instance: InstanceBudget): Line[] {
  const lines: Line[] = [
    `  Clerk calls by hour (UTC): the hour's busiest 10 s against the limit of ${formatCount(instance.rateLimit)} (│ the budget of ${formatCount(instance.budget)}), and the calls expected in the hour`,
  ];
  for (const hour of instance.hours) {
    const bar = chartBar(hour.peakPer10Seconds, instance.rateLimit, instance.budget);
    const over = hour.peakPer10Seconds > instance.budget;
    const near = hour.peakPer10Seconds >= instance.budget * 0.8;
    const colored = over ? tone.bad(bar) : near ? tone.warn(bar) : bar;
    const peak = `${formatCount(hour.peakPer10Seconds)} per 10 s`.padStart(14);
    const calls = `${formatCount(Math.round(hour.expectedCalls))} in the hour`.padStart(18);
    lines.push([`    ${String(hour.hour).padStart(2, '0')} `, colored, `${peak}${calls}`]);
  }
  return lines;
}
