/**
 * Section 6 of the report alone: simulates the month(s) and writes the section into bench/results.md and the
 * measurement into bench/results.json, leaving the other sections as the last full run left them.
 *
 *   npx tsx bench/runRateBudget.ts [--months=<n>]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './bundleEntry.ts';
import { measureRateBudget } from './measureRateBudget.ts';
import { renderRateBudget } from './renderRateBudget.ts';

const { values } = parseArgs({ options: { months: { type: 'string', default: '12' } } });
const months = Number(values.months);
if (!Number.isInteger(months) || months < 1)
  throw new Error(`--months must be a positive integer, got ${values.months}`);

const command = ['npx tsx bench/runRateBudget.ts', ...process.argv.slice(2)].join(' ');
const measured = measureRateBudget(months);
const section = renderRateBudget(measured, command);

const benchDir = join(REPO_ROOT, 'bench');
const markdownPath = join(benchDir, 'results.md');
const markdown = await readFile(markdownPath, 'utf8');
const start = markdown.indexOf('## 8. Clerk rate budget');
const next = markdown.indexOf('\n## ', start === -1 ? markdown.indexOf('## Section times') - 1 : start + 1);
const patched =
  start === -1
    ? `${markdown.slice(0, next + 1)}${section}\n${markdown.slice(next + 1)}`
    : `${markdown.slice(0, start)}${section}${markdown.slice(next)}`;
const jsonPath = join(benchDir, 'results.json');
const json = JSON.parse(await readFile(jsonPath, 'utf8'));
await Promise.all([
  writeFile(markdownPath, patched),
  writeFile(jsonPath, `${JSON.stringify({ ...json, rateBudget: measured }, null, 2)}\n`),
]);
for (const instance of measured.instances) {
  process.stdout.write(
    `${instance.instance}: rotations predicted ${instance.predicted.typicalRotationPeak}/${instance.predicted.rotationPeak}, observed median ${instance.observed.rotationPeakMedian} max ${instance.observed.rotationPeakMax}; all calls predicted ${instance.predicted.peak}, observed ${instance.observed.peak}\n`,
  );
}
process.stdout.write(
  `bench/results.md section 8 and bench/results.json rateBudget written in ${(measured.durationMs / 1000).toFixed(1)} s\n`,
);
