import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults, GoalResult } from './BenchResults.ts';
import { evaluateGoals } from './evaluateGoals.ts';
import { measureTimeToHeal } from './measureTimeToHeal.ts';
import { renderReport } from './renderReport.ts';

/**
 * `npx tsx bench/run.ts --only=time-to-heal`: measures the time to heal alone (seconds, not the whole bench's
 * minutes) and merges it into the last full run's bench/results.json, then renders bench/results.md again from it.
 * Every other section keeps the numbers, date and machine of the run that produced them.
 */
export async function updateTimeToHeal(
  benchDir: string,
  command: string,
): Promise<{ results: BenchResults; goals: GoalResult[] }> {
  const path = join(benchDir, 'results.json');
  let previous: BenchResults & { goals?: unknown };
  try {
    previous = JSON.parse(await readFile(path, 'utf8')) as BenchResults & { goals?: unknown };
  } catch (error) {
    throw new Error(
      `cannot read ${path} (${(error as Error).message}); run the whole bench once: npx tsx bench/run.ts`,
    );
  }
  const { goals: _previousGoals, ...earlier } = previous;
  const started = performance.now();
  const heal = await measureTimeToHeal();
  const results: BenchResults = {
    ...earlier,
    sectionMs: { ...earlier.sectionMs, 'time to heal': performance.now() - started },
    timeToHeal: { ...heal, command, measuredAt: new Date().toISOString() },
  };
  const goals = evaluateGoals(results);
  await Promise.all([
    writeFile(path, `${JSON.stringify({ ...results, goals }, null, 2)}\n`),
    writeFile(join(benchDir, 'results.md'), renderReport(results, goals)),
  ]);
  return { results, goals };
}
