import { describe, expect, it } from 'vitest';
import { measureFaultyFleet, reattemptBackoffMs } from '../../bench/measureFaultyFleet.ts';

describe('Function: measureFaultyFleet', () => {
  it('rotates every secret exactly once through frequent ambiguous rotates, Clerk and the shards in worker threads', async () => {
    // Act: many faults, so that some rotates are ambiguous and their re-attempts wait out the landing horizon
    const run = await measureFaultyFleet({
      secrets: 40,
      concurrency: 10,
      shards: 2,
      scale: 20,
      clerkFaults: { serverErrorRate: 0.2, lostResponseRate: 0.1 },
      secretsManagerFaults: { errorRate: 0.02, lostResponseRate: 0.01 },
      seed: 7,
    });

    // Assess
    expect(run).toMatchObject({
      failures: 0,
      doubleRotations: 0,
      notRotated: 0,
      lostKeys: 0,
      inconsistent: 0,
      pendingLeft: 0,
      logLinesWithKeys: 0,
    });
    expect(run.waitedHorizon).toBeGreaterThan(0);
    expect(run.injected.clerkServerErrors + run.injected.clerkLostResponses).toBeGreaterThan(0);
    expect(run.progress).toHaveLength(41);
    expect(run.totalMs).toBeGreaterThanOrEqual(run.lastFirstAttemptMs);
    // A rotation that waited out a horizon took at least the re-attempt backoff (stack time ÷ 20).
    expect(run.totalMs).toBeGreaterThan(reattemptBackoffMs(run.landingHorizonSeconds) / 20);
    expect(run.floorMs).toBe(500); // 120 instance-key calls, 100 per 0.5 s window
    expect(run.ratio).toBeCloseTo(run.totalMs / run.floorMs);
  }, 60_000);

  it('without a scale runs unlimited and fault-free: what sizes the compression', async () => {
    const run = await measureFaultyFleet({ secrets: 20, concurrency: 10, shards: 2 });
    expect(run.scaling).toBe('off');
    expect([run.failures, run.retriedRotations, run.clerk429s, run.floorMs]).toEqual([0, 0, 0, 0]);
    expect(run.clerkFaults).toBe(false);
    expect(run.clerkInstanceKeyCalls).toBe(60);
  }, 60_000);
});

describe('Function: reattemptBackoffMs', () => {
  it('waits past the horizon of a rotate recorded just before the failure', () => {
    expect(reattemptBackoffMs(10)).toBe(21_000);
    expect(reattemptBackoffMs(600)).toBe(611_000);
  });
});
