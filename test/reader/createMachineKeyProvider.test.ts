import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode, SecretFormatError, SecretStoreError } from '../../lib/errors.ts';
import { createMachineKeyProvider, type MachineKeyProviderOptions } from '../../lib/reader/createMachineKeyProvider.ts';
import {
  awsError,
  captureLogger,
  expectNoKeyLeak,
  MACHINE_ID,
  newMachineKey,
  newSecretsManagerMock,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
  TestClock,
} from './readerTestSupport.ts';

/** random() = 0.5 makes the jitter factor exactly 1. */
const noJitter = () => 0.5;

describe('Function: createMachineKeyProvider', () => {
  let sm: ReturnType<typeof newSecretsManagerMock>;
  let clock: TestClock;
  let log: ReturnType<typeof captureLogger>;
  let keys: string[];

  const answer = (versionId: string, key: string, extra: Record<string, unknown> = {}) => ({
    ARN: SECRET_ARN,
    Name: SECRET_NAME,
    VersionId: versionId,
    SecretString: secretString(key, extra),
    VersionStages: ['AWSCURRENT'],
  });

  const provider = (options: Partial<MachineKeyProviderOptions> = {}) =>
    createMachineKeyProvider({
      secretId: SECRET_NAME,
      client: sm.client,
      clock,
      logger: log.logger,
      random: noJitter,
      ...options,
    });

  beforeEach(() => {
    sm = newSecretsManagerMock();
    clock = new TestClock();
    log = captureLogger(clock);
    keys = [newMachineKey(), newMachineKey(), newMachineKey()];
    sm.mock.on(GetSecretValueCommand).resolves(answer('v1', keys[0]!));
  });

  describe('caching (milliseconds everywhere)', () => {
    it('reads AWSCURRENT once and serves the cached key until maxAgeMs has passed', async () => {
      // Prepare
      const reader = provider({ maxAgeMs: 300_000 });

      // Act
      const first = await reader.get();
      clock.advanceMs(299_999);
      await reader.get();
      const readsBeforeExpiry = sm.getCalls().length;
      clock.advanceMs(2);
      await reader.get();

      // Assess
      expect(first).toMatchObject({ machineId: MACHINE_ID, versionId: 'v1' });
      expect(first.secretKey.reveal()).toBe(keys[0]);
      expect(readsBeforeExpiry).toBe(1);
      expect(sm.getCalls()).toHaveLength(2);
      expect(sm.getCalls()[0]?.args[0].input).toEqual({ SecretId: SECRET_NAME, VersionStage: 'AWSCURRENT' });
    });

    it('reads maxAgeMs as milliseconds: 5000 expires after 5 seconds, not 5000 seconds or 5 ms', async () => {
      // Prepare
      const reader = provider({ maxAgeMs: 5_000 });
      await reader.get();

      // Act
      clock.advanceMs(5); // 5 "ms" if it were misread as seconds→ms: must still be cached
      await reader.get();
      clock.advanceSeconds(4);
      await reader.get();
      const readsAt4s = sm.getCalls().length;
      clock.advanceSeconds(1);
      await reader.get();

      // Assess
      expect(readsAt4s).toBe(1);
      expect(sm.getCalls()).toHaveLength(2);
    });

    it('defaults maxAge to 300 seconds with ±10 % jitter', async () => {
      // Prepare: the lowest and the highest jitter draw
      const low = provider({ random: () => 0 });
      const high = provider({ random: () => 0.999_999 });
      await low.get();
      await high.get();

      // Act + Assess: low expires at 270 s, high at 330 s
      clock.advanceSeconds(269);
      await Promise.all([low.get(), high.get()]);
      expect(sm.getCalls()).toHaveLength(2);
      clock.advanceSeconds(2);
      await Promise.all([low.get(), high.get()]);
      expect(sm.getCalls()).toHaveLength(3);
      clock.advanceSeconds(58); // 329 s
      await high.get();
      expect(sm.getCalls()).toHaveLength(3);
      clock.advanceSeconds(2); // 331 s
      await high.get();
      expect(sm.getCalls()).toHaveLength(4);
    });

    it.each([
      ['maxAgeMs', { maxAgeMs: 300 }, /maxAgeMs: .*if you meant 300 seconds, pass 300000/],
      ['maxStaleMs', { maxStaleMs: 60 }, /maxStaleMs: .*pass 60000/],
      ['minForcedRefreshIntervalMs', { minForcedRefreshIntervalMs: 10 }, /pass 10000/],
      ['maxAgeMs', { maxAgeMs: 1.5e9 }, /maxAgeMs: must be a whole number of milliseconds from 1000 to 86400000/],
      ['maxAgeMs', { maxAgeMs: Number.NaN }, /maxAgeMs/],
      ['secretId', { secretId: ' ' }, /secretId: must be a non-empty string/],
    ])('rejects a bad %s with a ConfigError that explains the unit', (_setting, options, message) => {
      // Act + Assess
      expect(() => provider(options)).toThrow(ConfigError);
      expect(() => provider(options)).toThrow(message);
    });
  });

  describe('cache keys and version stages', () => {
    it('keys the cache by secret id and version stage, so AWSCURRENT and AWSPREVIOUS never share a value', async () => {
      // Prepare
      sm.mock
        .on(GetSecretValueCommand, { SecretId: SECRET_NAME, VersionStage: 'AWSPREVIOUS' })
        .resolves(answer('v0', keys[1]!));
      const current = provider();
      const previous = provider({ versionStage: 'AWSPREVIOUS' });

      // Act
      const [c, p] = await Promise.all([current.get(), previous.get()]);

      // Assess
      expect(current.cacheKey).not.toBe(previous.cacheKey);
      expect(current.cacheKey).toContain('AWSCURRENT');
      expect(previous.cacheKey).toContain('AWSPREVIOUS');
      expect(previous.cacheKey).toContain(SECRET_NAME);
      expect(c.versionId).toBe('v1');
      expect(p.versionId).toBe('v0');
      expect(p.secretKey.equals(c.secretKey)).toBe(false);
      expect(sm.getCalls().map((call) => call.args[0].input.VersionStage)).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    });
  });

  describe('single flight', () => {
    it('answers 10,000 concurrent cold reads with exactly one GetSecretValue', async () => {
      // Prepare
      sm.mock.on(GetSecretValueCommand).callsFake(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return answer('v1', keys[0]!);
      });
      const reader = provider();

      // Act
      const results = await Promise.all(Array.from({ length: 10_000 }, () => reader.get()));

      // Assess
      expect(sm.getCalls()).toHaveLength(1);
      expect(new Set(results.map((r) => r.versionId))).toEqual(new Set(['v1']));
    });

    it('shares one read among callers that find the value expired at the same time', async () => {
      // Prepare
      const reader = provider({ maxAgeMs: 60_000 });
      await reader.get();
      clock.advanceSeconds(61);
      sm.mock.on(GetSecretValueCommand).resolves(answer('v2', keys[1]!));

      // Act
      const results = await Promise.all(Array.from({ length: 500 }, () => reader.get()));

      // Assess
      expect(sm.getCalls()).toHaveLength(2);
      expect(results.every((r) => r.versionId === 'v2')).toBe(true);
    });
  });

  describe('stale values on transient errors', () => {
    it.each([
      ['throttling', awsError('ThrottlingException')],
      ['a 5xx', awsError('InternalServiceError', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
      ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
      ['a timeout', Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })],
    ])('serves the cached key within maxStaleMs after %s, and throws after it', async (_kind, error) => {
      // Prepare
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

    it('never serves stale when maxStaleMs is 0', async () => {
      // Prepare
      const reader = provider({ maxAgeMs: 60_000, maxStaleMs: 0 });
      await reader.get();
      sm.mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));
      clock.advanceSeconds(61);

      // Act + Assess
      await expect(reader.get()).rejects.toMatchObject({ awsErrorName: 'ThrottlingException' });
    });

    it('throws a transient error when nothing is cached yet', async () => {
      // Prepare
      sm.mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));

      // Act + Assess
      await expect(provider().get()).rejects.toBeInstanceOf(SecretStoreError);
    });

    it.each([
      ['AccessDeniedException', awsError('AccessDeniedException'), SecretStoreError],
      ['ResourceNotFoundException', awsError('ResourceNotFoundException'), SecretStoreError],
      ['DecryptionFailure', awsError('DecryptionFailure'), SecretStoreError],
    ])('never serves stale on %s: it throws a typed error at once', async (name, error, type) => {
      // Prepare
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

    it('backs off after a failure instead of calling Secrets Manager on every request', async () => {
      // Prepare
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

  describe('forced refresh', () => {
    it('re-reads at once, then coalesces refreshes within minForcedRefreshIntervalMs', async () => {
      // Prepare
      const reader = provider({ minForcedRefreshIntervalMs: 10_000 });
      await reader.get();
      sm.mock.on(GetSecretValueCommand).resolves(answer('v2', keys[1]!));

      // Act
      const [a, b] = await Promise.all([reader.refresh(), reader.refresh()]);
      const readsAfterFirst = sm.getCalls().length;
      clock.advanceSeconds(9);
      const c = await reader.refresh();
      const readsWithinInterval = sm.getCalls().length;
      clock.advanceSeconds(1);
      sm.mock.on(GetSecretValueCommand).resolves(answer('v3', keys[2]!));
      const d = await reader.refresh();

      // Assess
      expect([a.versionId, b.versionId, c.versionId, d.versionId]).toEqual(['v2', 'v2', 'v2', 'v3']);
      expect(readsAfterFirst).toBe(2);
      expect(readsWithinInterval).toBe(2);
      expect(sm.getCalls()).toHaveLength(3);
    });
  });

  describe('invalidate', () => {
    it('makes the next get() read again unless the notified version is already cached', async () => {
      // Prepare
      const reader = provider();
      await reader.get();

      // Act
      const sameVersion = reader.invalidate('v1');
      await reader.get();
      const readsAfterSame = sm.getCalls().length;
      sm.mock.on(GetSecretValueCommand).resolves(answer('v2', keys[1]!));
      const newVersion = reader.invalidate('v2');
      const after = await reader.get();

      // Assess
      expect(sameVersion).toBe(false);
      expect(readsAfterSame).toBe(1);
      expect(newVersion).toBe(true);
      expect(after.versionId).toBe('v2');
    });

    it('keeps an invalidated value as the stale fallback while Secrets Manager throttles', async () => {
      // Prepare
      const reader = provider({ maxStaleMs: 60_000 });
      await reader.get();
      sm.mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));

      // Act
      reader.invalidate('v2');
      const served = await reader.get();

      // Assess
      expect(served.versionId).toBe('v1');
      expect(sm.getCalls()).toHaveLength(2);
    });

    it('recognises the secret by its configured id and by the ARN and name Secrets Manager reported', async () => {
      // Prepare
      const reader = provider();
      const before = reader.matchesSecretId(SECRET_ARN);

      // Act
      await reader.get();

      // Assess
      expect(before).toBe(false);
      expect(reader.matchesSecretId(SECRET_NAME)).toBe(true);
      expect(reader.matchesSecretId(SECRET_ARN)).toBe(true);
      expect(reader.matchesSecretId(`${SECRET_ARN}x`)).toBe(false);
    });
  });

  describe('maxAge vs the previous key overlap', () => {
    const rotated = (overlapSeconds: number) => ({
      rotatedAt: new Date(clock.ms).toISOString(),
      previousKeyExpiresAt: new Date(clock.ms + overlapSeconds * 1_000).toISOString(),
    });
    const warnings = () => log.lines.map((l) => JSON.parse(l)).filter((l) => l.outcome === 'overlap-too-short');

    it('does not warn when maxAgeMs + maxStaleMs is at most half the overlap (seconds in the secret, ms here)', async () => {
      // Prepare: defaults 300 000 + 900 000 = 1 200 000 ms; an 8 h overlap is 28 800 s
      sm.mock.on(GetSecretValueCommand).resolves(answer('v1', keys[0]!, rotated(28_800)));

      // Act
      await provider().get();

      // Assess
      expect(warnings()).toHaveLength(0);
    });

    it('does not warn at exactly half the overlap', async () => {
      // Prepare: 2 400 s overlap → half is 1 200 000 ms
      sm.mock.on(GetSecretValueCommand).resolves(answer('v1', keys[0]!, rotated(2_400)));

      // Act
      await provider().get();

      // Assess
      expect(warnings()).toHaveLength(0);
    });

    it('warns once when maxAgeMs + maxStaleMs exceeds half the overlap', async () => {
      // Prepare: a 30 min overlap (1 800 000 ms) → half is 900 000 < 1 200 000
      sm.mock.on(GetSecretValueCommand).resolves(answer('v1', keys[0]!, rotated(1_800)));
      const reader = provider({ maxAgeMs: 60_000 });

      // Act
      await reader.get();
      clock.advanceSeconds(61);
      await reader.get();

      // Assess
      expect(sm.getCalls()).toHaveLength(2);
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatchObject({ level: 'warn', versionId: 'v1', machineId: MACHINE_ID });
      expect(warnings()[0].message).toMatch(/960000 ms is more than half .*1800000 ms/);
      expectNoKeyLeak(log.lines, keys);
    });

    it('warns, naming the cause, when the version records no overlap (TTL 0 or an adopted key)', async () => {
      // Prepare
      sm.mock.on(GetSecretValueCommand).resolves(answer('v1', keys[0]!, rotated(0)));

      // Act
      await provider().get();

      // Assess
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0].message).toMatch(/records as none \(a previous-key TTL of 0, or a key adopted/);
    });

    it('does not warn when the secret does not say when the previous key expires', async () => {
      // Act
      await provider({ maxAgeMs: 86_400_000 }).get();

      // Assess
      expect(warnings()).toHaveLength(0);
    });
  });

  describe('redaction', () => {
    it('never prints the key: not in logs, not in JSON, not in inspect output', async () => {
      // Prepare
      const reader = provider({ maxAgeMs: 1_000 });

      // Act
      const key = await reader.get();
      clock.advanceSeconds(2);
      sm.mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));
      await reader.get();
      const printed = [JSON.stringify(key), String(key.secretKey), `${key.secretKey}`];

      // Assess
      expect(log.lines.length).toBeGreaterThan(0);
      expectNoKeyLeak([...log.lines, ...printed], keys);
    });
  });
});

describe('Function: createMachineKeyProvider (hanging Secrets Manager)', () => {
  it('releases all waiting callers after requestTimeoutMs and serves the stale value', async () => {
    // Prepare
    const sm = newSecretsManagerMock();
    const clock = new TestClock();
    const key = newMachineKey();
    sm.mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ ARN: SECRET_ARN, VersionId: 'v1', SecretString: secretString(key) })
      .callsFake(() => new Promise(() => {}));
    const reader = createMachineKeyProvider({
      secretId: SECRET_NAME,
      client: sm.client,
      clock,
      maxAgeMs: 1_000,
      requestTimeoutMs: 1_000,
    });
    await reader.get();
    clock.advanceSeconds(2);

    // Act
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 100 }, () => reader.get()));

    // Assess
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results.every((r) => r.versionId === 'v1')).toBe(true);
    expect(sm.getCalls()).toHaveLength(2);
  });
});
