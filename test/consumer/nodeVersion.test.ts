/**
 * npm scripts run on the Node the package pins as a dev dependency (`node`, whose bin npm puts first on PATH), not
 * on whatever Node the machine has: tests, demo, bench and the CLI all run on Node 24, the function's runtime.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './consumerProject.ts';

describe('Toolchain: Node 24', () => {
  it('runs the tests on the Node version pinned in devDependencies', async () => {
    // Prepare
    const manifest = JSON.parse(await readFile(`${REPO_ROOT}/package.json`, 'utf8'));

    // Assess
    expect(process.version).toBe(`v${manifest.devDependencies.node}`);
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});
