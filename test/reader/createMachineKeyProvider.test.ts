import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { createMachineKeyProvider } from '../../lib/reader/createMachineKeyProvider.ts';
import {
  awsError,
  createReaderFixtureWithKeys,
  expectNoKeyLeak,
  MACHINE_ID,
  newMachineKey,
  newSecretsManagerMock,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
  TestClock,
} from '../support/readerFixtures.ts';

const setup = createReaderFixtureWithKeys;

describe('Function: createMachineKeyProvider', () => {
  describe('caching (milliseconds everywhere)', () => {
    it('reads AWSCURRENT once and serves the cached key until maxAgeMs has passed', async () => {
      // Prepare
      const { sm, clock, keys, provider } = setup();
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
      const { sm, clock, provider } = setup();
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
      const { sm, clock, provider } = setup();
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
      // Prepare
      const { provider } = setup();

      // Act + Assess
      expect(() => provider(options)).toThrow(ConfigError);
      expect(() => provider(options)).toThrow(message);
    });
  });

  describe('cache keys and version stages', () => {
    it('keys the cache by secret id and version stage, so AWSCURRENT and AWSPREVIOUS never share a value', async () => {
      // Prepare
      const { sm, keys, answer, provider } = setup();
      sm.mock
        .on(GetSecretValueCommand, { SecretId: SECRET_NAME, VersionStage: 'AWSPREVIOUS' })
        .resolves(answer('v0', keys[1]));
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
      const { sm, keys, answer, provider } = setup();
      sm.mock.on(GetSecretValueCommand).callsFake(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return answer('v1', keys[0]);
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
      const { sm, clock, keys, answer, provider } = setup();
      const reader = provider({ maxAgeMs: 60_000 });
      await reader.get();
      clock.advanceSeconds(61);
      sm.mock.on(GetSecretValueCommand).resolves(answer('v2', keys[1]));

      // Act
      const results = await Promise.all(Array.from({ length: 500 }, () => reader.get()));

      // Assess
      expect(sm.getCalls()).toHaveLength(2);
      expect(results.every((r) => r.versionId === 'v2')).toBe(true);
    });
  });

  describe('forced refresh', () => {
    it('re-reads at once, then coalesces refreshes within minForcedRefreshIntervalMs', async () => {
      // Prepare
      const { sm, clock, keys, answer, provider } = setup();
      const reader = provider({ minForcedRefreshIntervalMs: 10_000 });
      await reader.get();
      sm.mock.on(GetSecretValueCommand).resolves(answer('v2', keys[1]));

      // Act
      const [a, b] = await Promise.all([reader.refresh(), reader.refresh()]);
      const readsAfterFirst = sm.getCalls().length;
      clock.advanceSeconds(9);
      const c = await reader.refresh();
      const readsWithinInterval = sm.getCalls().length;
      clock.advanceSeconds(1);
      sm.mock.on(GetSecretValueCommand).resolves(answer('v3', keys[2]));
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
      const { sm, keys, answer, provider } = setup();
      const reader = provider();
      await reader.get();

      // Act
      const sameVersion = reader.invalidate('v1');
      await reader.get();
      const readsAfterSame = sm.getCalls().length;
      sm.mock.on(GetSecretValueCommand).resolves(answer('v2', keys[1]));
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
      const { sm, provider } = setup();
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
      const { provider } = setup();
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

  describe('methods on their own', () => {
    it('works when its methods are passed around without the provider object', async () => {
      // Prepare
      const { sm, provider } = setup();
      const { get, refresh, invalidate, matchesSecretId } = provider();

      // Act
      const first = await get();
      const invalidated = invalidate('v2');
      const refreshed = await refresh();

      // Assess
      expect([first.versionId, refreshed.versionId]).toEqual(['v1', 'v1']);
      expect(invalidated).toBe(true);
      expect(matchesSecretId(SECRET_ARN)).toBe(true);
      expect(sm.getCalls()).toHaveLength(2);
    });
  });

  describe('redaction', () => {
    it('never prints the key: not in logs, not in JSON, not in inspect output', async () => {
      // Prepare
      const { sm, clock, log, keys, provider } = setup();
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
