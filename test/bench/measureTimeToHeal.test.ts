import { describe, expect, it } from 'vitest';
import { measureTimeToHeal } from '../../bench/measureTimeToHeal.ts';
import { timeToHealMet } from '../../bench/renderTimeToHeal.ts';

describe('Function: measureTimeToHeal', () => {
  it('heals every dashboard rotation at the next scheduled verification run, without a Clerk rotate', async () => {
    // Act
    const heal = await measureTimeToHeal({ secrets: 4, dashboardRotations: 2 });

    // Assess
    expect(heal.healMs).toHaveLength(2);
    // Rotated a quarter and three quarters into the interval: healed about three quarters and a quarter later.
    expect(heal.healMs[0]).toBeGreaterThan(0.7 * heal.intervalMs);
    expect(heal.healMs[1]).toBeLessThan(0.3 * heal.intervalMs);
    expect(heal.maxMs).toBeLessThanOrEqual(heal.intervalMs + heal.longestRunMs);
    expect(heal).toMatchObject({ healedByNextRun: 2, keysStillValidAtHeal: 2, apiRotations: 0 });
    expect(timeToHealMet(heal)).toBe(true);
  });
});
