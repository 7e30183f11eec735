import { describe, expect, it } from 'vitest';
import { peakCount, probabilityOfAtLeast } from '../../lib/budget/peakCount.ts';
import { createSeededRandom } from '../../localstack/common/seededRandom.ts';

function poissonDraw(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k += 1;
    product *= random();
  }
  return k;
}

/** The most events any window of length 1 holds, for a Poisson process of `mean` per window over `windows` windows. */
function simulatedPeak(mean: number, windows: number, random: () => number): number {
  // Window by window: one draw of mean × windows would underflow exp(-mean) for a long process.
  const draws: number[] = [];
  for (let window = 0; window < windows; window++) {
    for (let k = poissonDraw(mean, random); k > 0; k--) draws.push(window + random());
  }
  const times = Float64Array.from(draws).sort();
  let peak = 0;
  for (let end = 0, start = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= 1) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

describe('Function: probabilityOfAtLeast (Naus’s scan approximation)', () => {
  it.each([
    [0.1, 360],
    [1.2, 360],
    [5, 360],
  ])('agrees with a simulation of a Poisson process of %f per window over %i windows', (mean, windows) => {
    const random = createSeededRandom(7);
    const trials = 3000;
    const peaks = Array.from({ length: trials }, () => simulatedPeak(mean, windows, random));
    for (let n = 1; n <= Math.max(...peaks); n++) {
      const observed = peaks.filter((peak) => peak >= n).length / trials;
      const predicted = probabilityOfAtLeast(n, [{ meanPerWindow: mean, windows }]);
      // Within three standard errors of the simulation, plus 1 % for the approximation itself.
      const tolerance = 3 * Math.sqrt((predicted * (1 - predicted)) / trials) + 0.01;
      expect(Math.abs(observed - predicted), `P(peak ≥ ${n})`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('is exact for one event: the chance that any event happens at all', () => {
    expect(probabilityOfAtLeast(1, [{ meanPerWindow: 0.01, windows: 100 }])).toBeCloseTo(1 - Math.exp(-1), 12);
  });

  it('grows with the number of stretches: a month has more chances than a day', () => {
    const day = probabilityOfAtLeast(4, [{ meanPerWindow: 0.2, windows: 360 }]);
    const month = probabilityOfAtLeast(4, [{ meanPerWindow: 0.2, windows: 360, count: 30 }]);
    expect(month).toBeCloseTo(1 - (1 - day) ** 30, 10);
    expect(month).toBeGreaterThan(day);
  });
});

describe('Function: peakCount', () => {
  it('is the smallest count the busiest window exceeds with at most the given probability', () => {
    const stretches = [{ meanPerWindow: 1.2, windows: 8640 }];
    const peak = peakCount(stretches, 0.01);
    expect(probabilityOfAtLeast(peak + 1, stretches)).toBeLessThanOrEqual(0.01);
    expect(probabilityOfAtLeast(peak, stretches)).toBeGreaterThan(0.01);
    expect(peakCount(stretches, 0.5)).toBeLessThan(peak);
  });

  it('is 0 when nothing happens', () => {
    expect(peakCount([{ meanPerWindow: 0, windows: 360 }], 0.01)).toBe(0);
    expect(peakCount([], 0.01)).toBe(0);
  });
});
