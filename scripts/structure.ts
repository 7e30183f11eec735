// Prints how the runtime code measures against the structure targets: the largest files, functions over 80 lines,
// imports that run up the layers, import cycles. `npm run structure`; test/unit/structure.test.ts enforces them.
import { execFileSync } from 'node:child_process';
import { measureStructure } from './structure/measureStructure.ts';

const root = process.cwd();
const files = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', 'lambda', 'lib', 'infra', 'localstack'],
  {
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
const report = measureStructure(root, files);
const out = (line = '') => process.stdout.write(`${line}\n`);
out(`${report.files} files in lambda/, lib/, infra/, localstack/`);
out(
  `largest files: ${report.longestFiles
    .slice(0, 5)
    .map((f) => `${f.file} ${f.lines}`)
    .join(', ')}`,
);
out(`functions over 80 lines: ${report.functionsOver.length}`);
for (const unit of report.functionsOver) out(`  ${unit.file} ${unit.name}: ${unit.lines}`);
out(`upward imports: ${report.upwardImports.length}`);
for (const edge of report.upwardImports) out(`  ${edge.from} (${edge.fromLayer}) → ${edge.to} (${edge.toLayer})`);
out(`import cycles: ${report.cycles.length}`);
for (const cycle of report.cycles) out(`  ${cycle.join(' → ')}`);
