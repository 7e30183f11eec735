import { afterAll, describe, expect, it } from 'vitest';
import { type ClerkEmulator, startClerkEmulator } from '../../localstack/clerk/index.ts';
import {
  type FleetMachine,
  type FleetShardOptions,
  type FleetShardResult,
  rotateFleetShard,
} from './rotateFleetShard.ts';
import { runInWorker } from './runInWorker.ts';

/**
 * The fleet (docs/decisions/005-chaos-and-fleet-testing.md): 1000 secrets rotated through one Clerk emulator with
 * Clerk's development rate limit scaled 10× in time, 5 % injected 5xx and 1 % lost responses at Clerk, 1 % errors
 * and 0.5 % lost responses on the function's Secrets Manager calls, 100 rotations in flight. Two shards, each with
 * its own Secrets Manager emulator and rotation function (one in a worker thread, for the second core), share the
 * Clerk emulator: one instance key, one rate-limit bucket.
 *
 * A rotate whose outcome is unknown (an injected 5xx or a lost response on it) blocks its secret until its landing
 * horizon has passed (docs/decisions/007-landing-horizon.md): the function runs with the 10 s minimum, which this fault
 * model makes sound (see FLEET_LANDING_HORIZON_SECONDS), and Secrets Manager re-attempts with a growing backoff
 * (fleetReattemptBackoffMs). A secret waiting out its horizon holds no Lambda in AWS, but here its synchronous
 * RotateSecret holds a slot for 20 s: hence 100 in flight rather than 50, so that the rate limit, not the waiting
 * secrets, sets the pace.
 */

const FLEET_SIZE = 1000;
const CONCURRENCY = 100;
/** Clerk's development limit is 100 requests per 10 s per instance key; here 100 per 1 s (time scaled 10×). */
const RATE_LIMIT = { limit: 100, windowMs: 1000 } as const;
const TIME_SCALE = 10_000 / RATE_LIMIT.windowMs;
/** Key-shaped text (machine and instance keys): any real key in a log line is a leak, whichever key it is. */
const KEY_SHAPE = /\b(?:ak|sk_test|sk_live)_[A-Za-z0-9]{16,}/g;

let clerk: ClerkEmulator | undefined;

afterAll(async () => {
  await clerk?.close();
});

function splitInTwo<T>(items: readonly T[]): [T[], T[]] {
  const half = Math.ceil(items.length / 2);
  return [items.slice(0, half), items.slice(half)];
}

describe('Fleet: 1000 secrets through the rate limit and random faults', () => {
  it('rotates every secret exactly once, loses no key and logs none', async () => {
    // Prepare
    const emulator = await startClerkEmulator({ rateLimit: RATE_LIMIT, seed: 5 });
    clerk = emulator;
    const machines: FleetMachine[] = Array.from({ length: FLEET_SIZE }, (_, index) => {
      const machine = emulator.createMachine({ name: `fleet-${index}` });
      return { machineId: machine.id, name: machine.name, initialKey: machine.secretKey };
    });
    emulator.faults.randomly({ rate: 0.05, kind: '5xx' });
    emulator.faults.randomly({ rate: 0.01, kind: 'drop-after-processing' });
    const [first, second] = splitInTwo(machines);
    const shard = (slice: FleetMachine[], seed: number): FleetShardOptions => ({
      clerkUrl: emulator.url,
      instanceKey: emulator.defaultInstance.secretKey,
      machines: slice,
      concurrency: CONCURRENCY / 2,
      secretsManagerFaults: { errorRate: 0.01, dropResponseRate: 0.005 },
      seed,
    });
    const started = performance.now();

    // Act
    const results = await Promise.all([
      rotateFleetShard(shard(first, 1)),
      runInWorker<FleetShardResult>(new URL('./fleetShardWorker.ts', import.meta.url), shard(second, 2)),
    ]);
    const seconds = (performance.now() - started) / 1000;
    emulator.faults.clear();

    // Assess
    const apiRotations = new Map<string, number>();
    for (const rotation of emulator.rotationHistory()) {
      if (rotation.source === 'api')
        apiRotations.set(rotation.machineId, (apiRotations.get(rotation.machineId) ?? 0) + 1);
    }
    const initialKeys = new Map(machines.map((m) => [m.machineId, m.initialKey]));
    const rotated = results.flatMap((r) => r.machines);
    const incomplete = rotated.filter(
      (m) =>
        m.outcome !== 'succeeded' ||
        m.pendingLeft ||
        m.currentKey === initialKeys.get(m.machineId) ||
        m.currentKey !== emulator.currentKey(m.machineId),
    );
    const doubleRotations = rotated.filter((m) => (apiRotations.get(m.machineId) ?? 0) !== 1);
    const lostKeys = rotated.filter((m) => !m.storedKeys.includes(emulator.currentKey(m.machineId)));
    const logs = results.flatMap((r) => r.logs);
    const leaks = logs.flatMap((line) => line.match(KEY_SHAPE) ?? []);
    const audit = emulator.audit.entries();
    const instanceRequests = audit.filter((e) => e.keyKind === 'instance');
    // Injected errors are decided before the rate limit; refused (429) requests do not count against it.
    const counted = instanceRequests.filter((e) => e.status !== 429 && e.fault !== 'error').length;
    const floorSeconds = (counted / RATE_LIMIT.limit) * (RATE_LIMIT.windowMs / 1000);
    const attempts = rotated.reduce((sum, m) => sum + m.attempts, 0);
    const smErrors = results.reduce((sum, r) => sum + r.injected.errors, 0);
    const smLost = results.reduce((sum, r) => sum + r.injected.lostResponses, 0);
    console.log(
      `fleet: ${rotated.length - incomplete.length}/${FLEET_SIZE} secrets rotated in ${seconds.toFixed(1)} s against a rate-limit floor of ${floorSeconds.toFixed(1)} s (${counted} instance-key requests ÷ ${RATE_LIMIT.limit} per ${RATE_LIMIT.windowMs} ms, Clerk's development limit with time scaled ${TIME_SCALE}×) = ${(seconds / floorSeconds).toFixed(2)}× the floor; ${audit.length} Clerk requests, ${instanceRequests.filter((e) => e.status === 429).length} answered 429, ${audit.filter((e) => e.fault === 'error').length} injected 5xx, ${audit.filter((e) => e.fault === 'drop-after-processing').length} lost responses; Secrets Manager: ${smErrors} injected errors, ${smLost} lost responses; ${attempts} rotation attempts; failures ${incomplete.length}, double rotations ${doubleRotations.length}, lost keys ${lostKeys.length}, keys in logs ${leaks.length}`,
    );
    expect(incomplete.map((m) => m.machineId)).toEqual([]);
    expect(doubleRotations.map((m) => `${m.machineId}: ${apiRotations.get(m.machineId) ?? 0}`)).toEqual([]);
    expect(lostKeys.map((m) => m.machineId)).toEqual([]);
    expect(leaks.length).toBe(0);
  }, 180_000);
});
