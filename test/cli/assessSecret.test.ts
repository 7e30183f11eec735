/**
 * Unit: the status verdict at its boundaries, the key scrubber and the schedule parser — no process, no emulator.
 */
import { describe, expect, it } from 'vitest';
import { assessSecret } from '../../lib/cli/assessSecret.ts';
import { formatDuration } from '../../lib/cli/formatTime.ts';
import { parseSchedule } from '../../lib/cli/optionParsers.ts';
import type { SecretSnapshot } from '../../lib/cli/readSecretSnapshot.ts';
import { redactKeys } from '../../lib/cli/redactKeys.ts';
import { RUNBOOK_URL } from '../../lib/constants.ts';
import { SecretFormatError } from '../../lib/errors.ts';
import { Redacted } from '../../lib/Redacted.ts';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const MINUTE = 60_000;
const OPTIONS = { now: NOW, stuckAfterMs: 10 * MINUTE, refreshWindowMs: 20 * MINUTE };
const iso = (ms: number) => new Date(ms).toISOString();

function snapshot(overrides: Partial<SecretSnapshot> = {}, fields: { rotatedAt?: number; expiresAt?: number } = {}) {
  const base: SecretSnapshot = {
    arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/clerk/machines/billing-AbCdEf',
    name: 'prod/clerk/machines/billing',
    rotationEnabled: true,
    rotationLambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotator',
    rotationRules: { automaticallyAfterDays: 30 },
    lastRotatedDate: undefined,
    nextRotationDate: undefined,
    lastChangedDate: NOW - 60 * MINUTE,
    versionIdsToStages: { v1: ['AWSCURRENT'] },
    tags: {},
    versions: [{ versionId: 'v1', stages: ['AWSCURRENT'], createdAt: NOW - 60 * MINUTE }],
    currentVersionId: 'v1',
    current: {
      ok: true,
      versionId: 'v1',
      secret: {
        machineId: 'mch_abc',
        secretKey: new Redacted('ak_test'),
        rotatedAt: fields.rotatedAt === undefined ? undefined : iso(fields.rotatedAt),
        previousKeyExpiresAt: fields.expiresAt === undefined ? undefined : iso(fields.expiresAt),
        extra: {},
      },
    },
    pending: undefined,
    leftoverPendingLabel: false,
  };
  return { ...base, ...overrides };
}

describe('Function: assessSecret', () => {
  it('is healthy with nothing pending, and says how long the previous key works', () => {
    const verdict = assessSecret(snapshot({}, { rotatedAt: NOW - MINUTE, expiresAt: NOW + 60 * MINUTE }), OPTIONS);

    expect(verdict).toMatchObject({ state: 'healthy', healthy: true, code: undefined, runbook: undefined });
    expect(verdict.detail).toContain('the previous key keeps working until 2026-11-30T13:00:00Z (in 1 h)');
  });

  it('calls AWSPENDING younger than stuckAfter in progress, and from stuckAfter on stuck', () => {
    const pending = (ageMs: number, hasValue: boolean) =>
      snapshot({ pending: { versionId: 'v2', createdAt: NOW - ageMs, hasValue } });

    expect(assessSecret(pending(10 * MINUTE - 1, false), OPTIONS)).toMatchObject({
      state: 'rotation-in-progress',
      healthy: true,
    });
    expect(assessSecret(pending(10 * MINUTE, false), OPTIONS)).toMatchObject({
      state: 'stuck-pending',
      healthy: false,
      code: 'PENDING_VALUE_MISSING',
      runbook: `${RUNBOOK_URL}#pending_value_missing`,
    });
    expect(assessSecret(pending(10 * MINUTE, true), OPTIONS)).toMatchObject({
      state: 'stuck-pending',
      code: 'ROTATION_STUCK',
    });
  });

  it('falls back to LastChangedDate, and to stuck, when the pending version has no creation date', () => {
    const known = snapshot({
      pending: { versionId: 'v2', createdAt: undefined, hasValue: false },
      lastChangedDate: NOW,
    });
    const unknown = snapshot({
      pending: { versionId: 'v2', createdAt: undefined, hasValue: false },
      lastChangedDate: undefined,
    });

    expect(assessSecret(known, OPTIONS).state).toBe('rotation-in-progress');
    expect(assessSecret(unknown, OPTIONS).state).toBe('stuck-pending');
  });

  it('calls a past previousKeyExpiresAt overlap expired only inside the refresh window after rotatedAt', () => {
    const inside = snapshot({}, { rotatedAt: NOW - 20 * MINUTE + 1, expiresAt: NOW - MINUTE });
    const outside = snapshot({}, { rotatedAt: NOW - 20 * MINUTE, expiresAt: NOW - MINUTE });
    const expiringNow = snapshot({}, { rotatedAt: NOW - MINUTE, expiresAt: NOW });

    expect(assessSecret(inside, OPTIONS)).toMatchObject({ state: 'overlap-expired', code: 'OVERLAP_EXPIRED' });
    expect(assessSecret(outside, OPTIONS)).toMatchObject({ state: 'healthy' });
    expect(assessSecret(outside, OPTIONS).detail).toContain("the previous key's overlap ended");
    expect(assessSecret(expiringNow, OPTIONS).state).toBe('overlap-expired');
  });

  it('uses the AWSCURRENT version’s creation when rotatedAt is missing', () => {
    const handWritten = snapshot(
      { versions: [{ versionId: 'v1', stages: ['AWSCURRENT'], createdAt: NOW - MINUTE }] },
      { expiresAt: NOW - 1 },
    );

    expect(assessSecret(handWritten, OPTIONS).state).toBe('overlap-expired');
  });

  it('puts an invalid AWSCURRENT before everything else, and keeps notes beside any verdict', () => {
    const invalid = snapshot({
      current: { ok: false, versionId: 'v1', error: new SecretFormatError('SECRET_FORMAT_INVALID', 'not JSON') },
      pending: { versionId: 'v2', createdAt: NOW - 60 * MINUTE, hasValue: false },
      rotationEnabled: false,
      leftoverPendingLabel: true,
    });

    const verdict = assessSecret(invalid, OPTIONS);

    expect(verdict).toMatchObject({ state: 'invalid-value', label: 'invalid value', code: 'SECRET_FORMAT_INVALID' });
    expect(verdict.notes).toEqual([
      expect.stringContaining('automatic rotation is off'),
      expect.stringContaining('AWSPENDING is also on the AWSCURRENT version'),
    ]);
  });
});

describe('Function: redactKeys', () => {
  it('replaces machine and instance keys, and leaves ids and names alone', () => {
    const text =
      'ak_0123456789abcdefABCDEF sk_test_0123456789abcdef sk_live_0123456789abcdef mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk task_runner';

    expect(redactKeys(text)).toBe('[redacted] [redacted] [redacted] mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk task_runner');
  });
});

describe('Function: parseSchedule', () => {
  it('reads days and schedule expressions, and refuses anything else', () => {
    expect(parseSchedule('30')).toEqual({ automaticallyAfterDays: 30 });
    expect(parseSchedule('rate(4 hours)')).toEqual({ scheduleExpression: 'rate(4 hours)' });
    expect(parseSchedule('cron(0 8 1 * ? *)')).toEqual({ scheduleExpression: 'cron(0 8 1 * ? *)' });
    expect(() => parseSchedule('0')).toThrow(/from 1 to 1000, got "0"/);
    expect(() => parseSchedule('monthly')).toThrow(/rate\(N hours\|days\) or cron/);
  });
});

describe('Function: formatDuration', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [61_000, '1 min 1 s'],
    [3_600_000, '1 h'],
    [3_660_000, '1 h 1 min'],
    [86_400_000 * 2 + 3_600_000, '2 d 1 h'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
