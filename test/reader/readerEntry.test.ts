import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as reader from '../../lib/reader/index.ts';

describe('Module: clerk-machine-key-rotator/reader', () => {
  it('exports the reader API', () => {
    // Assess
    expect(Object.keys(reader)).toEqual(
      expect.arrayContaining([
        'createMachineKeyProvider',
        'withMachineKey',
        'createM2MToken',
        'verifyM2MToken',
        'createRotationEventHandler',
        'isMachineKeyRotatedEvent',
        'isClerkAuthenticationError',
        'Redacted',
      ]),
    );
  });

  it('bundles without CDK, CLI, Lambda-client or rotation-core code', async () => {
    // Act
    const result = await build({
      entryPoints: ['lib/reader/index.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));

    // Assess
    expect(inputs.every((path) => path.startsWith('lib/'))).toBe(true);
    expect(inputs.filter((path) => /^(?:infra|lambda|cli|bin)\/|lib\/(?:core|localstack)\//.test(path))).toEqual([]);
    const externals = new Set(imports.filter((path) => !path.startsWith('.') && !path.startsWith('lib/')));
    expect([...externals].filter((path) => !path.startsWith('node:')).sort()).toEqual(
      ['@aws-sdk/client-secrets-manager', 'p-retry'].sort(),
    );
  });
});
