/**
 * The bin as npm installs it: `npm run build` (tsc -p tsconfig.build.json) into a temporary outDir, then
 * `node <outDir>/lib/cli/main.js --help`. Proves the shebang survives, the `.ts` specifiers are rewritten and the ESM
 * output runs without tsx.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT } from './cliTestSupport.ts';

const run = promisify(execFile);

describe('CLI: the built bin', () => {
  let outDir: string | undefined;

  afterAll(async () => {
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  });

  it('builds with tsconfig.build.json and runs `node dist/lib/cli/main.js --help`', { timeout: 180_000 }, async () => {
    // Prepare
    outDir = await mkdtemp(join(tmpdir(), 'clerk-rotator-build-'));
    await run(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    // What the package gives the built files: "type": "module" and its dependencies.
    await writeFile(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
    await symlink(join(REPO_ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
    const bin = join(outDir, 'lib/cli/main.js');

    // Act
    const help = await run(process.execPath, [bin, '--help'], { env: childEnv() });
    const usage = await run(process.execPath, [bin, 'status'], { env: childEnv() }).catch((error: unknown) => error);

    // Assess
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(await readFile(bin, 'utf8')).not.toMatch(/from ['"][^'"]+\.ts['"]/);
    expect(help.stdout).toContain('Usage: clerk-rotator [options] [command]');
    expect(help.stdout).toContain('Exit codes:');
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining("missing required argument 'secret'") });
  });
});
