import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventError } from '../../lib/errors.ts';
import { MACHINE_KEY_ROTATED } from '../../lib/notify/MachineKeyRotatedEvent.ts';
import { createMachineKeyProvider } from '../../lib/reader/createMachineKeyProvider.ts';
import { createRotationEventHandler } from '../../lib/reader/createRotationEventHandler.ts';
import {
  MACHINE_ID,
  newMachineKey,
  newSecretsManagerMock,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
  TestClock,
} from './readerTestSupport.ts';

const OTHER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/clerk/machines/other-XyZaBc';

describe('Function: createRotationEventHandler', () => {
  let sm: ReturnType<typeof newSecretsManagerMock>;
  let clock: TestClock;

  const event = (overrides: Record<string, unknown> = {}) => ({
    type: MACHINE_KEY_ROTATED,
    secretId: SECRET_ARN,
    versionId: 'v2',
    machineId: MACHINE_ID,
    ...overrides,
  });

  beforeEach(() => {
    sm = newSecretsManagerMock();
    clock = new TestClock();
    sm.mock
      .on(GetSecretValueCommand, { SecretId: SECRET_NAME })
      .resolvesOnce({
        ARN: SECRET_ARN,
        Name: SECRET_NAME,
        VersionId: 'v1',
        SecretString: secretString(newMachineKey()),
      })
      .resolves({ ARN: SECRET_ARN, Name: SECRET_NAME, VersionId: 'v2', SecretString: secretString(newMachineKey()) });
    sm.mock
      .on(GetSecretValueCommand, { SecretId: OTHER_ARN })
      .resolves({ ARN: OTHER_ARN, VersionId: 'o1', SecretString: secretString(newMachineKey()) });
  });

  it('invalidates the provider whose secret the event names, so the next get() reads the new version', async () => {
    // Prepare
    const mine = createMachineKeyProvider({ secretId: SECRET_NAME, client: sm.client, clock });
    const other = createMachineKeyProvider({ secretId: OTHER_ARN, client: sm.client, clock });
    await Promise.all([mine.get(), other.get()]);
    const handler = createRotationEventHandler([mine, other]);

    // Act
    const result = await handler(event());
    const [afterMine, afterOther] = await Promise.all([mine.get(), other.get()]);

    // Assess
    expect(result.invalidated).toEqual([mine.cacheKey]);
    expect(afterMine.versionId).toBe('v2');
    expect(afterOther.versionId).toBe('o1');
    expect(sm.getCalls()).toHaveLength(3);
  });

  it('accepts a single provider and does nothing when the notified version is already cached', async () => {
    // Prepare
    const mine = createMachineKeyProvider({ secretId: SECRET_NAME, client: sm.client, clock });
    await mine.get();
    await mine.refresh();
    const handler = createRotationEventHandler(mine);

    // Act
    const result = await handler(event({ versionId: 'v2' }));
    await mine.get();

    // Assess
    expect(result.invalidated).toEqual([]);
    expect(sm.getCalls()).toHaveLength(2);
  });

  it('does nothing for a provider that has not read yet', async () => {
    // Prepare
    const cold = createMachineKeyProvider({ secretId: SECRET_NAME, client: sm.client, clock });

    // Act
    const result = await createRotationEventHandler([cold])(event());

    // Assess
    expect(result.invalidated).toEqual([]);
    expect(sm.getCalls()).toHaveLength(0);
  });

  it.each([
    ['another event type', { type: 'aws.secretsmanager' }, /expected type "clerk-machine-key-rotated"/],
    ['no secretId', { secretId: '' }, /secretId must be a non-empty string/],
    ['a bad machineId', { machineId: 'user_123' }, /machineId must look like/],
  ])('throws EventError for %s', async (_name, overrides, message) => {
    // Prepare
    const handler = createRotationEventHandler([]);

    // Act
    const thrown = await handler(event(overrides)).catch((e: unknown) => e);

    // Assess
    expect(thrown).toBeInstanceOf(EventError);
    expect((thrown as Error).message).toMatch(message);
  });
});
