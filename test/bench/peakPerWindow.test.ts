import { describe, expect, it } from 'vitest';
import { peakPerWindow } from '../../bench/peakPerWindow.ts';

describe('Function: peakPerWindow', () => {
  it('counts the busiest window over every start, not only windows aligned to the first call', () => {
    // Prepare: 3 calls early, 5 calls straddling the 10 s mark
    const times = [0, 1_000, 2_000, 8_000, 9_000, 10_500, 11_000, 12_000];

    // Act
    const peak = peakPerWindow(times, 10_000);

    // Assess: [2 000, 12 000) holds 2 000, 8 000, 9 000, 10 500, 11 000 — and 12 000 is outside it
    expect(peak).toBe(5);
    expect(peakPerWindow([...times].reverse(), 10_000)).toBe(5);
  });

  it('treats the window as half-open: calls exactly one window apart never share it', () => {
    // Act & Assess
    expect(peakPerWindow([0, 10_000, 20_000], 10_000)).toBe(1);
    expect(peakPerWindow([0, 9_999, 20_000], 10_000)).toBe(2);
    expect(peakPerWindow([], 10_000)).toBe(0);
  });

  it('throws when the window is not positive', () => {
    expect(() => peakPerWindow([1], 0)).toThrow(/windowMs must be positive, got 0/);
  });
});
