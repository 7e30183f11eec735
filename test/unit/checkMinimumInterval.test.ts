import { describe, expect, it } from 'vitest';
import { lastRotation, minimumIntervalWaitMs } from '../../lib/core/checkMinimumInterval.ts';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');

describe('Function: lastRotation', () => {
  it('takes the later of the value’s rotatedAt and Secrets Manager’s LastRotatedDate', () => {
    const rotatedAt = '2026-12-02T11:50:00.000Z';
    expect(lastRotation({ rotatedAt, lastRotatedDate: NOW - 60_000 }, NOW).at).toBe(NOW - 60_000);
    expect(lastRotation({ rotatedAt, lastRotatedDate: NOW - 3_600_000 }, NOW).at).toBe(Date.parse(rotatedAt));
    expect(lastRotation({ rotatedAt: undefined, lastRotatedDate: undefined }, NOW).at).toBeUndefined();
  });

  it('ignores a rotatedAt in the future and says so, instead of refusing every rotation until then', () => {
    const last = lastRotation({ rotatedAt: '9999-12-31T23:59:59.000Z', lastRotatedDate: undefined }, NOW);
    expect(last).toEqual({ at: undefined, ignoredFutureRotatedAt: '9999-12-31T23:59:59.000Z' });
    expect(minimumIntervalWaitMs(last, 900, NOW)).toBe(0);
  });

  it('accepts a rotatedAt a few seconds ahead (clock skew) as now', () => {
    const last = lastRotation({ rotatedAt: new Date(NOW + 5_000).toISOString(), lastRotatedDate: undefined }, NOW);
    expect(last.at).toBe(NOW);
    expect(minimumIntervalWaitMs(last, 900, NOW)).toBe(900_000);
  });

  it('treats an unparseable rotatedAt as unknown', () => {
    expect(lastRotation({ rotatedAt: 'yesterday', lastRotatedDate: undefined }, NOW).at).toBeUndefined();
  });
});

describe('Function: minimumIntervalWaitMs', () => {
  it('counts down from the last rotation, and 0 disables the guard', () => {
    const last = { at: NOW - 100_000 };
    expect(minimumIntervalWaitMs(last, 900, NOW)).toBe(800_000);
    expect(minimumIntervalWaitMs(last, 100, NOW)).toBe(0);
    expect(minimumIntervalWaitMs(last, 0, NOW)).toBe(0);
  });
});
