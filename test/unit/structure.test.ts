import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureStructure } from '../../scripts/structure/measureStructure.ts';

/** The structure targets of "One part, one place", held for the runtime code (`npm run structure` prints them). */
const root = new URL('../..', import.meta.url).pathname;
const files = execFileSync('git', ['ls-files', 'lambda', 'lib', 'infra', 'localstack'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
const report = measureStructure(root, files);

describe('Structure: the runtime code stays readable', () => {
  it('has no import that runs from a lower layer to a higher one (kernel < core < adapters < applications)', () => {
    expect(report.upwardImports).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(report.cycles).toEqual([]);
  });

  it('has no function over 80 lines', () => {
    expect(report.functionsOver.map((unit) => `${unit.file} ${unit.name}: ${unit.lines}`)).toEqual([]);
  });

  it('has no file over 350 lines', () => {
    expect(report.longestFiles.filter((unit) => unit.lines > 350).map((unit) => `${unit.file}: ${unit.lines}`)).toEqual(
      [],
    );
  });

  it('would catch each: an upward import, a cycle, a long function (checked on a planted tree)', () => {
    const planted = mkdtempSync(join(tmpdir(), 'structure-'));
    mkdirSync(join(planted, 'lib/core'), { recursive: true });
    mkdirSync(join(planted, 'lib/cli'), { recursive: true });
    const body = Array.from({ length: 85 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    writeFileSync(
      join(planted, 'lib/core/a.ts'),
      `import { b } from '../cli/b.ts';\nexport function a() {\n${body}\n  return b;\n}\n`,
    );
    writeFileSync(join(planted, 'lib/cli/b.ts'), "import { a } from '../core/a.ts';\nexport const b = a;\n");

    const result = measureStructure(planted, ['lib/core/a.ts', 'lib/cli/b.ts']);

    expect(result.upwardImports).toEqual([
      { from: 'lib/core/a.ts', to: 'lib/cli/b.ts', fromLayer: 'core', toLayer: 'app' },
    ]);
    expect(result.cycles).toHaveLength(1);
    expect(result.functionsOver).toEqual([{ file: 'lib/core/a.ts', name: 'a', lines: 88 }]);
    expect(files.length).toBeGreaterThan(150);
  });
});
