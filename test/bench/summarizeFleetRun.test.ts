import { describe, expect, it } from 'vitest';
import type { ClerkFleetReport } from '../../bench/fleetWorkers/clerkFleetWorker.ts';
import type { ShardSecretResult } from '../../bench/fleetWorkers/shardFleetWorker.ts';
import { type FleetRunInput, rateLimitFloorMs, summarizeFleetRun } from '../../bench/fleetWorkers/summarizeFleetRun.ts';

const START = 1_000_000;

function secret(machineId: string, overrides: Partial<ShardSecretResult> = {}): ShardSecretResult {
  return {
    machineId,
    completedAt: START + 1_000,
    outcome: 'succeeded',
    attempts: 1,
    failedAttemptErrors: [],
    currentKey: `new-${machineId}`,
    storedKeys: [`old-${machineId}`, `new-${machineId}`],
    pendingLeft: false,
    ...overrides,
  };
}

function clerk(machines: ClerkFleetReport['machines']): ClerkFleetReport {
  return {
    machines,
    calls: 40,
    instanceKeyCalls: 30,
    countedInstanceKeyCalls: 25,
    status429: 5,
    injectedServerErrors: 2,
    lostResponses: 1,
    byOperation: {},
  };
}

function input(secrets: ShardSecretResult[], clerkReport: ClerkFleetReport): FleetRunInput {
  return {
    secrets: secrets.length,
    concurrency: 2,
    shards: 2,
    scale: 10,
    limit: 10,
    windowMs: 10_000,
    instanceCallsPerRotation: 3,
    clerkFaults: { serverErrorRate: 0.05, lostResponseRate: 0.01 },
    secretsManagerFaults: false,
    landingHorizonSeconds: 10,
    reattemptBackoffMs: 21_000,
    maxAttempts: 10,
    startAt: START,
    machines: secrets.map((s) => ({ machineId: s.machineId, name: s.machineId, initialKey: `old-${s.machineId}` })),
    shardResults: [
      {
        secrets: secrets.slice(0, 2),
        awsCalls: 30,
        injectedErrors: 1,
        lostResponses: 0,
        logLines: 8,
        logLinesWithKeys: 0,
      },
      {
        secrets: secrets.slice(2),
        awsCalls: 20,
        injectedErrors: 0,
        lostResponses: 2,
        logLines: 4,
        logLinesWithKeys: 0,
      },
    ],
    clerk: clerkReport,
    cpuMs: 1_234,
    cpuWallMs: 10_000,
  };
}

describe('Function: rateLimitFloorMs', () => {
  it('fills fixed windows, the first opening at once', () => {
    expect(rateLimitFloorMs(3000, 100, 2_000)).toBe(29 * 2_000);
    expect(rateLimitFloorMs(3001, 100, 2_000)).toBe(30 * 2_000);
    expect(rateLimitFloorMs(50, 100, 2_000)).toBe(2_000);
  });
});

describe('Function: summarizeFleetRun', () => {
  it('charges the horizon tail to the total and reports when the last first-attempt rotation ended', () => {
    // Prepare: c waited out a landing horizon and finished last
    const secrets = [
      secret('a', { completedAt: START + 2_000 }),
      secret('b', { completedAt: START + 3_000 }),
      secret('c', { completedAt: START + 9_000, attempts: 2, failedAttemptErrors: ['RotateInFlightError'] }),
    ];
    const report = clerk(
      secrets.map((s) => ({ machineId: s.machineId, apiRotations: 1, currentKey: `new-${s.machineId}` })),
    );

    // Act
    const run = summarizeFleetRun(input(secrets, report));

    // Assess: 9 instance-key calls at 10 per 1 s window → 1 s floor
    expect(run.totalMs).toBe(9_000);
    expect(run.floorMs).toBe(1_000);
    expect(run.ratio).toBe(9);
    expect(run.lastFirstAttemptMs).toBe(3_000);
    expect(run.countedFloorMs).toBe(2_000);
    expect(run.waitedHorizon).toBe(1);
    expect(run.retriedRotations).toBe(1);
    expect(run.failedAttemptsByError).toEqual({ RotateInFlightError: 1 });
    expect(run.progress.map((p) => p.completed)).toEqual([0, 1, 2, 3]);
    expect(run.awsCalls).toBe(50);
    expect(run.injected).toEqual({
      clerkServerErrors: 2,
      clerkLostResponses: 1,
      secretsManagerErrors: 1,
      secretsManagerLostResponses: 2,
    });
    expect([run.failures, run.doubleRotations, run.lostKeys, run.inconsistent, run.notRotated]).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });

  it('counts failed, doubled, lost and unrotated secrets from Clerk’s view and the secrets’ own', () => {
    // Prepare: a failed; b rotated twice at Clerk, AWSCURRENT on the first of them; c never rotated at Clerk
    const secrets = [
      secret('a', { outcome: 'failed', currentKey: 'old-a', storedKeys: ['old-a'], pendingLeft: true }),
      secret('b', { storedKeys: ['old-b', 'new-b'] }),
      secret('c', { currentKey: 'old-c', storedKeys: ['old-c'] }),
    ];
    const report = clerk([
      { machineId: 'a', apiRotations: 1, currentKey: 'new-a' },
      { machineId: 'b', apiRotations: 2, currentKey: 'newer-b' },
      { machineId: 'c', apiRotations: 0, currentKey: 'old-c' },
    ]);

    // Act
    const run = summarizeFleetRun(input(secrets, report));

    // Assess
    expect(run.failures).toBe(1);
    expect(run.doubleRotations).toBe(1);
    expect(run.notRotated).toBe(1);
    expect(run.lostKeys).toBe(2); // a's new key and b's newer key are in no version
    expect(run.inconsistent).toBe(3); // a and b differ from Clerk; c still holds its first key
    expect(run.pendingLeft).toBe(1);
  });

  it('reports no floor and no ratio for an unlimited run', () => {
    const secrets = [secret('a')];
    const run = summarizeFleetRun({
      ...input(secrets, clerk([{ machineId: 'a', apiRotations: 1, currentKey: 'new-a' }])),
      scale: undefined,
    });
    expect([run.scaling, run.floorMs, run.ratio, run.countedFloorMs]).toEqual(['off', 0, 0, 0]);
  });
});
