import { inspect } from 'node:util';
import {
  DecryptionFailure,
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { CredentialsProviderError } from '@smithy/core/config';
import { describe, expect, it } from 'vitest';
import { ErrorCode, SecretFormatError, SecretStoreError } from '../../lib/errors.ts';
import {
  awsError,
  createReaderFixtureWithKeys,
  expectNoKeyLeak,
  MACHINE_ID,
  SECRET_ARN,
  SECRET_NAME,
} from '../support/readerFixtures.ts';

const setup = createReaderFixtureWithKeys;

/** An error the SDK builds for a name Secrets Manager does not model (throttling, token expiry, access denied…). */
const unmodelled = (name: string, status: number, message: string) =>
  new SecretsManagerServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

describe('Class: MachineKeyCache (through createMachineKeyProvider): failed reads', () => {
  it.each([
    ['throttling', awsError('ThrottlingException')],
    ['a 5xx', awsError('InternalServiceError', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })],
    [
      'a credential-provider failure (IMDS timeout)',
      new CredentialsProviderError('Could not load credentials from any providers'),
    ],
    [
      'expired session credentials',
      unmodelled('ExpiredTokenException', 400, 'The security token included in the request is expired'),
    ],
  ])('serves the cached key within maxStaleMs after %s, and throws after it', async (_kind, error) => {
    // Prepare
    const { sm, clock, log, keys, provider } = setup();
    const reader = provider({ maxAgeMs: 60_000, maxStaleMs: 120_000 });
    await reader.get();
    sm.mock.on(GetSecretValueCommand).rejects(error);

    // Act: 61 s (1 s stale) and 180 s (exactly maxStaleMs stale) are served
    clock.advanceSeconds(61);
    const early = await reader.get();
    clock.advanceSeconds(119);
    const late = await reader.get();
    clock.advanceMs(1);
    const beyond = await reader.get().catch((e: unknown) => e);

    // Assess
    expect(early.versionId).toBe('v1');
    expect(late.versionId).toBe('v1');
    expect(beyond).toBeInstanceOf(SecretStoreError);
    expect((beyond as SecretStoreError).code).toBe(ErrorCode.secretStoreFailed);
    expect((beyond as SecretStoreError).message).toMatch(/beyond maxStaleMs \(120000\)/);
    expect(log.lines.some((line) => JSON.parse(line).outcome === 'served-stale')).toBe(true);
    expectNoKeyLeak([...log.lines, (beyond as Error).message], keys);
  });

  it('serves a stale key 1 s past maxAge when the credential chain fails, naming the cause in the warning', async () => {
    // Prepare: before the classifier, CredentialsProviderError and ExpiredTokenException threw here
    const { sm, clock, log, provider } = setup();
    const reader = provider({ maxAgeMs: 60_000 });
    await reader.get();
    const failures: Error[] = [
      new CredentialsProviderError('Could not load credentials from any providers'),
      unmodelled('ExpiredTokenException', 400, 'The security token included in the request is expired'),
    ];
    sm.mock.on(GetSecretValueCommand).callsFake(() => Promise.reject(failures.shift()));

    // Act
    clock.advanceSeconds(61);
    const first = await reader.get();
    clock.advanceSeconds(2); // past the 1 s backoff: a second read, failing with the expired token
    const second = await reader.get();

    // Assess
    expect([first.versionId, second.versionId]).toEqual(['v1', 'v1']);
    expect(sm.getCalls()).toHaveLength(3);
    const stale = log.lines.map((line) => JSON.parse(line)).filter((line) => line.outcome === 'served-stale');
    expect(stale.map((line) => line.errorCode)).toEqual(['CredentialsProviderError', 'ExpiredTokenException']);
  });

  it('never serves stale when maxStaleMs is 0', async () => {
    // Prepare
    const { sm, clock, provider } = setup();
    const reader = provider({ maxAgeMs: 60_000, maxStaleMs: 0 });
    await reader.get();
    sm.mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));
    clock.advanceSeconds(61);

    // Act + Assess
    await expect(reader.get()).rejects.toMatchObject({ awsErrorName: 'ThrottlingException' });
  });

  it('throws a transient error when nothing is cached yet', async () => {
    // Prepare
    const { sm, provider } = setup();
    sm.mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));

    // Act + Assess
    await expect(provider().get()).rejects.toBeInstanceOf(SecretStoreError);
  });

  it.each([
    ['AccessDeniedException', awsError('AccessDeniedException'), SecretStoreError],
    ['ResourceNotFoundException', awsError('ResourceNotFoundException'), SecretStoreError],
    ['DecryptionFailure', awsError('DecryptionFailure'), SecretStoreError],
    [
      'AccessDeniedException',
      unmodelled('AccessDeniedException', 400, 'not allowed to call GetSecretValue'),
      SecretStoreError,
    ],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: "can't find the secret" }),
      SecretStoreError,
    ],
    [
      'DecryptionFailure',
      new DecryptionFailure({ $metadata: { httpStatusCode: 400 }, message: 'KMS refused' }),
      SecretStoreError,
    ],
  ])('never serves stale on %s: it throws a typed error at once', async (name, error, type) => {
    // Prepare
    const { sm, clock, log, keys, provider } = setup();
    const reader = provider({ maxAgeMs: 60_000, maxStaleMs: 3_600_000 });
    await reader.get();
    sm.mock.on(GetSecretValueCommand).rejects(error);
    clock.advanceSeconds(61);

    // Act
    const thrown = await reader.get().catch((e: unknown) => e);

    // Assess
    expect(thrown).toBeInstanceOf(type);
    expect(thrown).toMatchObject({ awsErrorName: name, operation: 'GetSecretValue' });
    expect((thrown as Error).message).toContain(SECRET_NAME);
    expectNoKeyLeak([...log.lines, (thrown as Error).message], keys);
  });

  it.each([
    ['not JSON', 'ak_not-json'],
    ['a wrong key prefix', JSON.stringify({ machineId: MACHINE_ID, secretKey: 'sk_live_abcdefghijklmnop' })],
    ['a missing machineId', JSON.stringify({ secretKey: 'ak_abcdefghijklmnop' })],
  ])('never serves stale on a malformed secret (%s): SecretFormatError without the value', async (_kind, value) => {
    // Prepare
    const { sm, clock, log, keys, provider } = setup();
    const reader = provider({ maxAgeMs: 60_000, maxStaleMs: 3_600_000 });
    await reader.get();
    sm.mock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, VersionId: 'v2', SecretString: value });
    clock.advanceSeconds(61);

    // Act
    const thrown = await reader.get().catch((e: unknown) => e);

    // Assess
    expect(thrown).toBeInstanceOf(SecretFormatError);
    expect((thrown as SecretFormatError).code).toBe(ErrorCode.secretFormatInvalid);
    expectNoKeyLeak([...log.lines, (thrown as Error).message], [...keys, 'abcdefghijklmnop', 'not-json']);
  });

  it('keeps the SDK error as the cause and names the secret, the stage and the cached version beyond the bound', async () => {
    // Prepare
    const { sm, clock, provider } = setup();
    const reader = provider({ maxAgeMs: 60_000, maxStaleMs: 1_000 });
    await reader.get();
    const sdkError = new InternalServiceError({ $metadata: { httpStatusCode: 500 }, message: 'try again' });
    sm.mock.on(GetSecretValueCommand).rejects(sdkError);
    clock.advanceSeconds(62);

    // Act
    const thrown = (await reader.get().catch((e: unknown) => e)) as SecretStoreError;

    // Assess
    expect(thrown.cause).toBe(sdkError);
    expect(thrown.message).toBe(
      'Secrets Manager GetSecretValue failed: InternalServiceError: try again (secret prod/clerk/machines/billing, ' +
        'stage AWSCURRENT); not serving cached version v1: 2000 ms past maxAge is beyond maxStaleMs (1000)',
    );
    expect(inspect(thrown)).not.toMatch(/\bak_/);
  });

  it('backs off after a failure instead of calling Secrets Manager on every request', async () => {
    // Prepare
    const { sm, clock, provider } = setup();
    sm.mock.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException'));
    const reader = provider();

    // Act
    const failures = await Promise.all(
      Array.from({ length: 100 }, async () => {
        clock.advanceMs(5);
        return reader.get().catch((e: unknown) => e);
      }),
    );
    for (let i = 0; i < 50; i++) await reader.get().catch(() => {});
    const readsDuringBackoff = sm.getCalls().length;
    clock.advanceMs(1_000);
    await reader.get().catch(() => {});

    // Assess
    expect(failures.every((f) => f instanceof SecretStoreError)).toBe(true);
    expect(readsDuringBackoff).toBe(1);
    expect(sm.getCalls()).toHaveLength(2);
  });
});
