import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { LOG_KEYS } from '../../lib/Logger.ts';
import * as reader from '../../lib/reader/index.ts';
import { entryModules } from '../support/entryModules.ts';
import {
  newMachineKey,
  newSecretsManagerMock,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
} from '../support/readerFixtures.ts';

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
        'classifyAwsError',
        'isTransientAwsError',
        'isTransientSecretsManagerError',
        'createJsonLogger',
        'parseLogLevel',
        'systemClock',
        'ReaderDefaults',
      ]),
    );
    expect(reader.isTransientSecretsManagerError).toBe(reader.isTransientAwsError);
  });

  it('bundles without CDK, CLI, Lambda-client, notifier or rotation-core code', async () => {
    // Act
    const { inputs, externals } = await entryModules('lib/reader/index.ts');

    // Assess
    expect(inputs.every((path) => path.startsWith('lib/'))).toBe(true);
    expect(
      inputs.filter((path) => /^(?:infra|lambda|cli|bin)\/|lib\/(?:core|localstack|notify|cli)\//.test(path)),
    ).toEqual([]);
    expect(externals).toEqual(['@aws-sdk/client-secrets-manager', 'p-retry'].sort());
  });

  it('gives an application the logger the docs recommend: JSON lines with the fixed keys, from this entry alone', async () => {
    // Prepare
    const { client, mock } = newSecretsManagerMock();
    mock
      .on(GetSecretValueCommand)
      .resolves({ ARN: SECRET_ARN, VersionId: 'v1', SecretString: secretString(newMachineKey()) });
    const lines: string[] = [];
    const logger = reader.createJsonLogger({
      clock: reader.systemClock,
      level: reader.parseLogLevel('debug'),
      write: (line) => lines.push(line),
    });
    const provider = reader.createMachineKeyProvider({ secretId: SECRET_NAME, client, logger });

    // Act
    await provider.get();

    // Assess
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(Object.keys(line)).toEqual([...LOG_KEYS]);
    expect(line).toMatchObject({ level: 'debug', secretArn: SECRET_ARN, versionId: 'v1', outcome: 'read' });
  });
});
