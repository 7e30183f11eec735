import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, describe, expect, it } from 'vitest';
import { findPackageRoot } from '../../infra/functionCode.ts';
import type * as infra from '../../infra/index.ts';
import { PACKAGE_NAME } from '../../lib/constants.ts';
import { ACCOUNT, functionProperties, INSTANCE_KEY_NAME, inlineCode, REGION } from './cdkTestSupport.ts';

const REPO_ROOT = join(import.meta.dirname, '../..');
const temporaryDirs: string[] = [];

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A package root like an installed copy of this package: its package.json, the construct's own source at `layout`
 * (`infra` as in this repository, `dist/infra` as in the published package) with lib/ beside it, node_modules
 * linked to this repository's, and a prebuilt bundle for each function given (its content a unique marker).
 */
function fakePackage(layout: 'infra' | 'dist/infra', bundles: Partial<Record<'rotate' | 'verify', string>>): string {
  const root = temporaryDir('clerk-rotator-package-');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: PACKAGE_NAME, type: 'module' }));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  cpSync(join(REPO_ROOT, 'infra'), join(root, layout), { recursive: true });
  cpSync(join(REPO_ROOT, 'lib'), join(root, layout, '..', 'lib'), { recursive: true });
  for (const [name, marker] of Object.entries(bundles)) {
    const dir = join(root, 'dist', 'functions', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.mjs'), `export const handler = async () => ${JSON.stringify(marker)};\n`);
    writeFileSync(join(dir, 'index.mjs.map'), '{"version":3,"sources":[],"mappings":""}');
  }
  return root;
}

/** The construct as the copy in `root` defines it: it locates its package from its own file. */
async function constructIn(root: string, layout: 'infra' | 'dist/infra'): Promise<typeof infra> {
  return (await import(pathToFileURL(join(root, layout, 'index.ts')).href)) as typeof infra;
}

function newStack(): Stack {
  return new Stack(new App({ outdir: temporaryDir('clerk-rotator-cdk-out-') }), 'Test', {
    env: { account: ACCOUNT, region: REGION },
  });
}

function instanceKey(stack: Stack): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretNameV2(stack, 'InstanceKey', INSTANCE_KEY_NAME);
}

/** The bundle that ends up in the cloud assembly for this function. */
function deployedBundle(stack: Stack, fn: lambda.IFunction): string {
  const assembly = (stack.node.root as App).synth();
  const asset = fn.node.findChild('Code') as s3assets.Asset;
  return readFileSync(join(assembly.directory, asset.assetPath, 'index.mjs'), 'utf8');
}

describe('Function code: prebuilt bundles by default, source bundling or given code on request', () => {
  describe('findPackageRoot', () => {
    it('finds this repository from the construct source, skipping package.json files of other packages', () => {
      // Prepare
      const root = temporaryDir('clerk-rotator-nested-');
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: PACKAGE_NAME }));
      mkdirSync(join(root, 'node_modules', 'other', 'dist'), { recursive: true });
      writeFileSync(join(root, 'node_modules', 'other', 'package.json'), JSON.stringify({ name: 'other' }));

      // Act, Assess
      expect(findPackageRoot(join(REPO_ROOT, 'infra', 'functionCode.ts'))).toBe(REPO_ROOT);
      expect(findPackageRoot(join(root, 'node_modules', 'other', 'dist', 'x.js'))).toBe(root);
      expect(findPackageRoot(join(temporaryDir('clerk-rotator-none-'), 'x.js'))).toBeUndefined();
    });
  });

  describe.each(['infra', 'dist/infra'] as const)('with the construct at %s of the package', (layout) => {
    it('deploys the prebuilt dist/functions/<name> bundles: Node.js 24, index.handler, source maps on', async () => {
      // Prepare
      const markers = { rotate: `rotate ${randomUUID()}`, verify: `verify ${randomUUID()}` };
      const root = fakePackage(layout, markers);
      const { ClerkMachineKeyRotator } = await constructIn(root, layout);
      const stack = newStack();

      // Act: no code, no bundling prop
      const rotator = new ClerkMachineKeyRotator(stack, 'Rotator', { instanceKeySecret: instanceKey(stack) });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      // Assess
      const verification = rotator.verification?.function as lambda.IFunction;
      for (const [fn, marker] of [
        [rotator.rotationFunction, markers.rotate],
        [verification, markers.verify],
      ] as const) {
        expect(deployedBundle(stack, fn)).toContain(JSON.stringify(marker));
        expect(functionProperties(stack, fn)).toMatchObject({
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
          Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
        });
      }
    });
  });

  it('fails in one line naming the missing bundle and both fixes when the package was not built', async () => {
    const root = fakePackage('infra', { verify: 'only verify' });
    const { ClerkMachineKeyRotator, RotatorPropsError } = await constructIn(root, 'infra');

    const build = () => {
      const stack = newStack();
      return new ClerkMachineKeyRotator(stack, 'Rotator', { instanceKeySecret: instanceKey(stack) });
    };

    expect(build).toThrow(RotatorPropsError);
    expect(build).toThrow(
      `bundling is 'prebuilt' (the default) but ${join(root, 'dist', 'functions', 'rotate', 'index.mjs')} does not exist: run npm run build in ${root}, or set bundling: 'source' to bundle lambda/rotate.ts with esbuild`,
    );
    try {
      build();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it("fails naming the entries it looked for when bundling: 'source' finds no lambda/<name>.ts", async () => {
    const root = fakePackage('infra', {});
    const { ClerkMachineKeyRotator } = await constructIn(root, 'infra');
    const stack = newStack();

    expect(
      () => new ClerkMachineKeyRotator(stack, 'Rotator', { instanceKeySecret: instanceKey(stack), bundling: 'source' }),
    ).toThrow(
      `bundling is 'source' but none of ${join(root, 'lambda', 'rotate.ts')}, ${join(root, 'dist', 'lambda', 'rotate.js')} exists`,
    );
  });

  it('uses given code instead of any bundle, without source maps, and needs no bundle for that function', async () => {
    // Prepare: only the verification is prebuilt
    const marker = `verify ${randomUUID()}`;
    const root = fakePackage('dist/infra', { verify: marker });
    const { ClerkMachineKeyRotator } = await constructIn(root, 'dist/infra');
    const stack = newStack();

    // Act
    const rotator = new ClerkMachineKeyRotator(stack, 'Rotator', {
      instanceKeySecret: instanceKey(stack),
      code: inlineCode(),
    });
    rotator.addMachine('Api', { machineId: 'mch_api' });

    // Assess
    const rotation = functionProperties(stack, rotator.rotationFunction);
    expect(rotation.Code).toEqual({ ZipFile: 'export const handler = async () => ({});' });
    expect(rotation.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
    expect(deployedBundle(stack, rotator.verification?.function as lambda.IFunction)).toContain(JSON.stringify(marker));
  });
});
