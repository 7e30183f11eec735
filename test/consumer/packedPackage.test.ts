/**
 * The package as a user gets it: `npm pack` (prepack builds dist/), then a fresh project outside the repository that
 * installs only the tarball, the documented peers and the test tools at pinned versions, and uses it the ways users
 * do: an ES module app, a CommonJS app, jest with @swc/jest, tsc under four module settings, a CDK app that
 * synthesizes without esbuild or Docker, and the function bundle itself rotating a key on Node 24 against the local
 * stack. Prints a short report of what ran.
 */
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMachine, type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';
import {
  CONSUMER_VERSIONS,
  createConsumerProject,
  keyLeaksIn,
  lastJsonLine,
  NODE_ONLY_PATH,
  PACKAGE_NAME,
  type PackedPackage,
  packPackage,
  REPO_ROOT,
  run,
} from './consumerProject.ts';
import { hostFunction } from './hostFunction.ts';
import { findSynthesizedFunction, usesPrebuiltFunctions } from './synthesizedFunction.ts';
import { prepareTypeChecks, TYPE_CHECK_MODES, writeTsconfig } from './typeCheckModes.ts';

const MINUTES = 60_000;
const report: string[] = [];
const note = (line: string) => report.push(line);

let workDir: string;
let project: string;
let packed: PackedPackage;
let stack: LocalStack;
let machine: LocalMachine;
let deployedBundle: string | undefined;
const keys: string[] = [];

/** What a process needs to reach the local stack's Secrets Manager and read `machine`'s secret. */
const appEnv = () => ({
  ...stack.environment(),
  MACHINE_KEY_SECRET_ID: machine.secretName,
  EXPECTED_MACHINE_ID: machine.machineId,
});

async function currentKey(secretId: string): Promise<{ key: string; versionId: string }> {
  const out = await stack.client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const key = (JSON.parse(out.SecretString ?? '{}') as { secretKey: string }).secretKey;
  keys.push(key);
  return { key, versionId: out.VersionId ?? '' };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'clerk-rotator-consumer-'));
  project = join(workDir, 'app');
  const started = performance.now();
  packed = await packPackage(workDir);
  const install = await createConsumerProject(project, packed.tarball);
  expect(install.code, install.stderr).toBe(0);
  note(`npm pack: ${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
  note(
    `fresh project: ${PACKAGE_NAME} tarball + ${Object.entries(CONSUMER_VERSIONS)
      .map(([name, version]) => `${name}@${version}`)
      .join(', ')} (${((performance.now() - started) / 1000).toFixed(0)} s to pack and install)`,
  );
  stack = await startLocalStack({ clock: 'system' });
  keys.push(stack.clerk.defaultInstance.secretKey);
  machine = await stack.addMachine({ name: 'consumer-app' });
}, 15 * MINUTES);

afterAll(async () => {
  await stack?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  const text = ['consumer test (test/consumer/packedPackage.test.ts):', ...report.map((line) => `  ${line}`)].join(
    '\n',
  );
  console.log(text);
  await mkdir(join(REPO_ROOT, '.vitest-reports'), { recursive: true });
  await writeFile(join(REPO_ROOT, '.vitest-reports/consumer-report.txt'), `${text}\n`);
});

describe('Consumer: the packed package in a fresh project', () => {
  it('ships dist/, the README and the LICENSE only: no TypeScript sources, no emulators, every export target present', {
    timeout: MINUTES,
  }, async () => {
    // Assess
    const paths = packed.files.map((file) => file.path);
    expect(
      paths.filter((path) => !path.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(path)),
    ).toEqual([]);
    expect(paths.filter((path) => /\.[cm]?ts$/.test(path) && !/\.d\.c?ts$/.test(path))).toEqual([]);
    expect(paths.filter((path) => /localstack|emulator/i.test(path))).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining(['dist/functions/rotate/index.mjs', 'dist/functions/rotate/index.mjs.map']),
    );
    const installed = join(project, 'node_modules', PACKAGE_NAME);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    const targets = JSON.stringify(manifest.exports).match(/\.\/dist\/[^"]+/g) ?? [];
    for (const target of [...targets, manifest.bin['clerk-rotator']]) await access(join(installed, target));
    expect(Object.keys(manifest.dependencies)).toEqual(['@aws-sdk/client-secrets-manager']);
    const bin = await run(join(project, 'node_modules/.bin/clerk-rotator'), ['--help'], { cwd: project });
    expect(bin.stdout).toContain('Usage: clerk-rotator');
    note(`tarball contents checked; ${targets.length} export targets present; clerk-rotator --help ran`);
  });

  it('(a) an ES module TypeScript app reads the key with /reader and validates props with /cdk', {
    timeout: 2 * MINUTES,
  }, async () => {
    // Act
    const app = await run(process.execPath, ['esm-app.mts'], { cwd: project, env: appEnv() });

    // Assess
    expect(app.code, app.stderr).toBe(0);
    const result = lastJsonLine<Record<string, unknown>>(app.stdout);
    const { versionId } = await currentKey(machine.secretName);
    expect(result).toEqual({
      format: 'esm',
      machineId: machine.machineId,
      versionId,
      key: '[redacted]',
      refused: 'RotatorPropsError',
    });
    expect(keyLeaksIn([app.stdout, app.stderr], keys)).toEqual([]);
    note(`(a) ESM app (node ${process.version} esm-app.mts): read ${machine.machineId}, refused bad props`);
  });

  it('(b) a CommonJS app requires /reader, /cdk and the main entry', { timeout: 2 * MINUTES }, async () => {
    // Act
    const app = await run(process.execPath, ['cjs-app.cjs'], { cwd: project, env: appEnv() });

    // Assess
    expect(app.code, app.stderr).toBe(0);
    expect(lastJsonLine(app.stdout)).toMatchObject({
      format: 'cjs',
      machineId: machine.machineId,
      key: '[redacted]',
      refused: 'RotatorPropsError',
      sameErrorClass: true,
    });
    expect(keyLeaksIn([app.stdout, app.stderr], keys)).toEqual([]);
    note('(b) CommonJS app (require): read the key, refused bad props, one ConfigError class across entries');
  });

  it('(b) jest 30 with @swc/jest runs a test that imports /reader and /cdk', { timeout: 3 * MINUTES }, async () => {
    // Act
    const jest = await run(process.execPath, ['node_modules/jest/bin/jest.js', '--ci', '--json'], {
      cwd: project,
      env: appEnv(),
    });

    // Assess
    const result = JSON.parse(jest.stdout) as { numPassedTests: number; numFailedTests: number; success: boolean };
    expect({ success: result.success, failed: result.numFailedTests }, jest.stderr).toEqual({
      success: true,
      failed: 0,
    });
    expect(result.numPassedTests).toBe(2);
    expect(keyLeaksIn([jest.stdout, jest.stderr], keys)).toEqual([]);
    note(`(b) jest ${CONSUMER_VERSIONS.jest} + @swc/jest: ${result.numPassedTests} tests passed`);
  });

  it.each(TYPE_CHECK_MODES.map((mode, index) => [mode.name, index, mode] as const))(
    '(c) tsc --noEmit resolves the types under %s',
    async (_name, index, mode) => {
      // Prepare
      if (index === 0) await prepareTypeChecks(project);
      const tsconfig = await writeTsconfig(project, index, mode);

      // Act
      const tsc = await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], {
        cwd: project,
      });

      // Assess
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.code).toBe(0);
      note(`(c) tsc ${mode.name}: ${mode.files.join(', ')} clean`);
    },
    5 * MINUTES,
  );

  it('(d) a CDK app synthesizes the construct with no esbuild installed and no Docker', {
    timeout: 5 * MINUTES,
  }, async (context) => {
    // Prepare
    const cdkEntry = await readFile(join(project, 'node_modules', PACKAGE_NAME, 'dist/cdk.js'), 'utf8');
    await expect(access(join(project, 'node_modules/esbuild'))).rejects.toThrow();
    if (!usesPrebuiltFunctions(cdkEntry)) {
      const reason =
        'skipped: the CDK construct in this branch still bundles lambda/rotate.ts with NodejsFunction; it must use ' +
        'the prebuilt dist/functions/rotate/ asset (infra change pending), then this case runs';
      note(`(d) ${reason}`);
      context.skip(reason);
    }
    const outdir = join(workDir, 'cdk.out');

    // Act: PATH holds node and nothing else, so neither esbuild nor docker can be found.
    const synth = await run(process.execPath, ['cdk-app.mts', outdir], { cwd: project, path: NODE_ONLY_PATH });

    // Assess
    expect(synth.code, synth.stderr).toBe(0);
    const fn = await findSynthesizedFunction(outdir, 'ClerkKeys');
    expect(fn.handler).toBe('index.handler');
    expect(fn.runtime).toBe('nodejs24.x');
    const shipped = await readFile(join(project, 'node_modules', PACKAGE_NAME, 'dist/functions/rotate/index.mjs'));
    expect((await readFile(fn.bundle)).equals(shipped)).toBe(true);
    deployedBundle = fn.bundle;
    note(`(d) CDK app synthesized (PATH=node only): ${fn.runtime}, ${fn.handler}, asset = dist/functions/rotate/`);
  });

  it('(e) the deployable bundle, on Node 24, rotates a machine key against the local stack', {
    timeout: 3 * MINUTES,
  }, async () => {
    // Prepare: the asset from cdk.out when (d) ran, else the bundle the construct is to deploy.
    const bundle = deployedBundle ?? join(project, 'node_modules', PACKAGE_NAME, 'dist/functions/rotate/index.mjs');
    const host = await hostFunction(bundle, stack.environment());
    const unregister = stack.secretsManager.registerRotationFunction(stack.functionArn, (event, context) =>
      host.invoke(event, context),
    );
    try {
      const rotated = await stack.addMachine({ name: 'consumer-bundle' });
      const before = await currentKey(rotated.secretName);

      // Act
      await stack.rotate(rotated.secretName);

      // Assess
      const after = await currentKey(rotated.secretName);
      const rotation = stack.secretsManager
        .rotations()
        .filter((r) => r.secretArn === rotated.secretArn)
        .at(-1);
      expect(rotation?.outcome).toBe('succeeded');
      expect(after.versionId).not.toBe(before.versionId);
      expect(after.key).not.toBe(before.key);
      expect(after.key).toBe(stack.clerk.currentKey(rotated.machineId));
      expect(stack.clerk.isKeyValid(rotated.machineId, before.key)).toBe(true);
      expect(host.invocations).toEqual(['testSecret', 'createSecret', 'setSecret', 'testSecret', 'finishSecret']);
      expect(host.node).toMatch(/^v24\./);
      const logLines = host.output.join('').trim().split('\n');
      expect(logLines.some((line) => line.includes('"step":"finishSecret"'))).toBe(true);
      expect(keyLeaksIn(host.output, keys)).toEqual([]);
      note(
        `(e) ${deployedBundle === undefined ? 'dist/functions/rotate/index.mjs (installed)' : 'the cdk.out asset'} ` +
          `on node ${host.node}: ${host.invocations.length} steps, key rotated at Clerk and promoted, ` +
          `${logLines.length} log lines without a key`,
      );
    } finally {
      unregister();
      await host.close();
    }
  });
});
