import { describe, expect, it } from 'vitest';
import { entryModules } from '../support/entryModules.ts';

describe('Module: clerk-machine-key-rotator/notify', () => {
  it('bundles without reader, CLI or rotation-core code: the event and the timeout live below both', async () => {
    // Act
    const { inputs, externals } = await entryModules('lib/notify/index.ts');

    // Assess
    expect(inputs.filter((path) => /lib\/(?:reader|core|cli|localstack)\//.test(path))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining(['lib/MachineKeyRotatedEvent.ts', 'lib/aws/sendWithTimeout.ts']));
    expect(externals).toEqual(['@aws-sdk/client-lambda']);
  });
});
