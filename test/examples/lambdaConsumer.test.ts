import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createConsumer, parseMaxAgeMs } from '../../examples/lambda-consumer/handler.ts';
import { ConfigError } from '../../lib/errors.ts';
import { MACHINE_KEY_ROTATED } from '../../lib/MachineKeyRotatedEvent.ts';
import {
  captureLogger,
  clerkError,
  expectNoKeyLeak,
  json,
  MACHINE_ID,
  newMachineKey,
  newSecretsManagerMock,
  recordingFetch,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
  TestClock,
  tokenWire,
} from '../support/readerFixtures.ts';

describe('Example: lambda-consumer', () => {
  let sm: ReturnType<typeof newSecretsManagerMock>;
  let clock: TestClock;
  let log: ReturnType<typeof captureLogger>;
  const key = newMachineKey();

  beforeEach(() => {
    sm = newSecretsManagerMock();
    clock = new TestClock();
    log = captureLogger(clock);
    sm.mock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, VersionId: 'v1', SecretString: secretString(key) });
  });

  describe('Function: parseMaxAgeMs', () => {
    it('reads MACHINE_KEY_MAX_AGE_SECONDS in seconds and returns milliseconds', () => {
      expect(parseMaxAgeMs('60')).toBe(60_000);
      expect(parseMaxAgeMs(' 300 ')).toBe(300_000);
      expect(parseMaxAgeMs(undefined)).toBeUndefined();
      expect(parseMaxAgeMs('')).toBeUndefined();
    });

    it.each(['0', '1.5', '300000000', 'five'])('refuses %o', (value) => {
      expect(() => parseMaxAgeMs(value)).toThrow(ConfigError);
      expect(() => parseMaxAgeMs(value)).toThrow(/MACHINE_KEY_MAX_AGE_SECONDS: must be a whole number of seconds/);
    });
  });

  it('caches the key for MACHINE_KEY_MAX_AGE_SECONDS seconds', async () => {
    // Prepare
    const { fetch } = recordingFetch(() => json(201, tokenWire()));
    const consumer = createConsumer({
      secretsManager: sm.client,
      fetch,
      env: { MACHINE_KEY_SECRET_ID: SECRET_NAME, MACHINE_KEY_MAX_AGE_SECONDS: '60' },
      clock,
      logger: log.logger,
    });

    // Act: within 54 s (60 s − 10 % jitter) no re-read; after 66 s (+10 %) one
    await consumer.call();
    clock.advanceSeconds(53);
    await consumer.call();
    const readsWithin = sm.getCalls().length;
    clock.advanceSeconds(14);
    await consumer.call();

    // Assess
    expect(readsWithin).toBe(1);
    expect(sm.getCalls()).toHaveLength(2);
  });

  it('mints a token (reusing a live one at Clerk) and calls DOWNSTREAM_URL with it', async () => {
    // Prepare
    const wire = tokenWire();
    const { fetch, requests } = recordingFetch((request) =>
      request.url.endsWith('/m2m_tokens') ? json(201, wire) : new Response(null, { status: 204 }),
    );
    const consumer = createConsumer({
      secretsManager: sm.client,
      fetch,
      env: { MACHINE_KEY_SECRET_ID: SECRET_NAME, DOWNSTREAM_URL: 'https://downstream.test/work' },
      clock,
      logger: log.logger,
    });

    // Act
    const result = await consumer.handler({}, { getRemainingTimeInMillis: () => 10_000 });

    // Assess
    expect(result).toEqual({ tokenId: wire.id, machineKeyVersionId: 'v1', downstreamStatus: 204 });
    expect(requests[0]?.body).toEqual({ seconds_until_expiration: 300, min_remaining_ttl_seconds: 60 });
    expect(requests[1]).toMatchObject({
      url: 'https://downstream.test/work',
      headers: { authorization: `Bearer ${wire.token}` },
    });
  });

  it('routes a rotation notification to the cache instead of making a call', async () => {
    // Prepare
    const { fetch, requests } = recordingFetch(() => json(201, tokenWire()));
    const consumer = createConsumer({
      secretsManager: sm.client,
      fetch,
      env: { MACHINE_KEY_SECRET_ID: SECRET_NAME },
      clock,
    });
    await consumer.call();

    // Act
    const result = await consumer.handler({
      type: MACHINE_KEY_ROTATED,
      secretId: SECRET_ARN,
      versionId: 'v2',
      machineId: MACHINE_ID,
    });

    // Assess
    expect(result).toEqual({ invalidated: [consumer.provider.cacheKey] });
    expect(requests).toHaveLength(1);
  });

  it('logs a failed call with its error code and no key, and rethrows it', async () => {
    // Prepare
    const { fetch } = recordingFetch(() => clerkError(401, 'authentication_invalid'));
    const consumer = createConsumer({
      secretsManager: sm.client,
      fetch,
      env: { MACHINE_KEY_SECRET_ID: SECRET_NAME },
      clock,
      logger: log.logger,
    });

    // Act
    const thrown = await consumer.handler({}).catch((e: unknown) => e);

    // Assess
    expect(thrown).toMatchObject({ code: 'CLERK_UNAUTHORIZED' });
    expect(log.lines.map((l) => JSON.parse(l)).find((l) => l.level === 'error')).toMatchObject({
      errorCode: 'CLERK_UNAUTHORIZED',
    });
    expectNoKeyLeak([...log.lines, (thrown as Error).message], [key]);
  });

  it('requires MACHINE_KEY_SECRET_ID', () => {
    expect(() => createConsumer({ secretsManager: sm.client, fetch: globalThis.fetch, env: {} })).toThrow(
      /MACHINE_KEY_SECRET_ID: is required/,
    );
  });
});
