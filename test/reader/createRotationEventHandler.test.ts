import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { EventError } from '../../lib/errors.ts';
import { MACHINE_KEY_ROTATED } from '../../lib/MachineKeyRotatedEvent.ts';
import { createRotationEventHandler } from '../../lib/reader/createRotationEventHandler.ts';
import {
  createReaderFixture,
  MACHINE_ID,
  newMachineKey,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
} from '../support/readerFixtures.ts';

const OTHER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/clerk/machines/other-XyZaBc';

const event = (overrides: Record<string, unknown> = {}) => ({
  type: MACHINE_KEY_ROTATED,
  secretId: SECRET_ARN,
  versionId: 'v2',
  machineId: MACHINE_ID,
  ...overrides,
});

/** Our secret answers v1 then v2; another secret (OTHER_ARN) answers o1. */
function setup() {
  const fixture = createReaderFixture();
  fixture.sm.mock
    .on(GetSecretValueCommand, { SecretId: SECRET_NAME })
    .resolvesOnce({ ARN: SECRET_ARN, Name: SECRET_NAME, VersionId: 'v1', SecretString: secretString(newMachineKey()) })
    .resolves({ ARN: SECRET_ARN, Name: SECRET_NAME, VersionId: 'v2', SecretString: secretString(newMachineKey()) });
  fixture.sm.mock
    .on(GetSecretValueCommand, { SecretId: OTHER_ARN })
    .resolves({ ARN: OTHER_ARN, VersionId: 'o1', SecretString: secretString(newMachineKey()) });
  return fixture;
}

describe('Function: createRotationEventHandler', () => {
  it('invalidates the provider whose secret the event names, so the next get() reads the new version', async () => {
    // Prepare
    const { sm, provider } = setup();
    const mine = provider();
    const other = provider({ secretId: OTHER_ARN });
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
    const { sm, provider } = setup();
    const mine = provider();
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
    const { sm, provider } = setup();
    const cold = provider();

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
