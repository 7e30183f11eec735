import { describe, expect, it } from 'vitest';
import { measureRateBudget } from '../../bench/measureRateBudget.ts';
import { fixedPeak, simulateClerkMonth, slidingPeak } from '../../bench/simulateClerkMonth.ts';
import { createSeededRandom } from '../../localstack/common/seededRandom.ts';

describe('Function: slidingPeak and fixedPeak', () => {
  it('count any 10 s, or clock-aligned 10 s', () => {
    const times = Float64Array.from([0, 5, 9.9, 10, 14, 19.5, 25]);
    // [5, 15) holds 5, 9.9, 10, 14; the buckets [0, 10) and [10, 20) hold 3 each.
    expect(slidingPeak(times)).toBe(4);
    expect(fixedPeak(times)).toBe(3);
  });

  it('puts calls exactly a window apart in different windows', () => {
    const paced = Float64Array.from({ length: 1000 }, (_, k) => k * 0.1);
    expect(slidingPeak(paced)).toBe(100);
  });
});

describe('Function: simulateClerkMonth', () => {
  it('draws one rotation (4 calls) inside each window, and paces the verification', () => {
    const calls = simulateClerkMonth(
      [{ instance: 'dev', rules: { scheduleExpression: 'cron(0 6 * * ? *)', duration: '3h' } }],
      [{ id: 'dev', ratePer10Seconds: 100, verificationIntervalSeconds: 3600, verificationShare: 0.1 }],
      { days: 3, random: createSeededRandom(1) },
    ).get('dev');

    expect(calls?.rotations).toHaveLength(12);
    for (let day = 0; day < 3; day++) {
      const first = calls?.rotations[day * 4] ?? 0;
      expect(first - day * 86_400).toBeGreaterThanOrEqual(6 * 3600);
      expect(first - day * 86_400).toBeLessThan(9 * 3600);
    }
    // 72 hourly runs of one call each.
    expect(calls?.verification).toHaveLength(72);
    expect((calls?.verification[1] ?? 0) - (calls?.verification[0] ?? 0)).toBeCloseTo(3600, 6);
  });
});

describe('Function: measureRateBudget', () => {
  it('observes, in a simulated month of 10,000 machines, no instance busier than the budget predicts', () => {
    const measured = measureRateBudget(1, 11);

    expect(measured.machines).toBe(10_000);
    for (const instance of measured.instances) {
      expect(instance.observed.rotationPeakMax).toBeLessThanOrEqual(instance.predicted.rotationPeak);
      expect(instance.observed.peak).toBeLessThanOrEqual(instance.predicted.peak);
      expect(instance.observed.verificationPeak).toBe(instance.predicted.verification);
    }
  });
});
