import { describe, expect, it } from 'vitest';
import { measureVerification } from '../../bench/measureVerification.ts';

describe('Function: measureVerification', () => {
  it('paces one Clerk read per machine to exactly the configured share of the limit', async () => {
    // Act: 150 machines at 1000 per 10 s × 10 % → 10 calls a second
    const run = await measureVerification({ machines: 150, clerkRateLimitPer10Seconds: 1000, clerkRateShare: 0.1 });

    // Assess
    expect(run.verified).toBe(150);
    expect(run.counts['in-sync']).toBe(150);
    expect(run.clerkCallsByOperation).toEqual({ getMachineSecretKey: 150 });
    expect(run.allowedPer10Seconds).toBe(100);
    expect(run.peakClerkCallsPer10Seconds).toBe(100);
    expect(run.clerk429s).toBe(0);
    expect(run.stackMs).toBe(149 * 100);
    expect(run.invocations).toBe(1);
    // 2 ListSecrets pages of 100; one AWSCURRENT read per machine and the instance key once
    expect(run.awsCallsByOperation).toEqual({ ListSecrets: 2, GetSecretValue: 151 });
  }, 60_000);

  it('stays within the share where a run hands on: the continuation resumes at the pacer’s next slot', async () => {
    // Act: 40 s invocations hand on after 10 s of calls (30 s margin)
    const run = await measureVerification({ machines: 150, invocationMs: 40_000 });

    // Assess: the continuation waits for the slot after the last call before it (resumeAt)
    expect(run.invocations).toBe(2);
    expect(run.verified).toBe(150);
    expect(run.peakClerkCallsPer10Seconds).toBe(100);
    expect(run.stackMs).toBe(149 * 100); // 150 calls, each 100 ms after the one before, across the hand-over too
  }, 60_000);
});
