import { afterAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';
import { MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

/**
 * Two createSecret invocations with the same token at once: the residual risk recorded in
 * docs/decisions/006-concurrent-createsecret.md. These tests pin down the behaviour and measure the race window.
 */
describe('Concurrency: two createSecret invocations for the same rotation', () => {
  it('started together, both see Clerk unchanged and both rotate; the loser’s put is refused and testSecret stops the rotation', async () => {
    const h = new RotationHarness();
    const token = h.startRotation();
    const results = await Promise.allSettled([h.step('createSecret', token), h.step('createSecret', token)]);
    expect(h.clerk.rotations(MACHINE_ID)).toBe(2);
    // Versions are immutable: one value wins, the other invocation fails with ResourceExistsException.
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(
      /ResourceExistsException/,
    );
    // The staged key is no longer Clerk's current one: testSecret refuses to promote it, loudly.
    await expect(h.step('testSecret', token)).rejects.toMatchObject({ code: 'PENDING_KEY_STALE' });
    // Recovery loses nothing: clear the label and rotate; createSecret adopts Clerk's current key.
    h.clearPendingLabels();
    h.advance(600);
    const { failures } = await h.rotate();
    expect(failures).toEqual([]);
    expect(h.clerk.rotations(MACHINE_ID)).toBe(2);
    expect(h.currentValue().secretKey).toBe(h.clerk.currentKey(MACHINE_ID));
  });

  it('one after the other (a duplicate that starts once the first has staged), nothing rotates twice', async () => {
    const h = new RotationHarness();
    const token = h.startRotation();
    await h.step('createSecret', token);
    await expect(h.step('createSecret', token)).resolves.toMatchObject({ outcome: 'already-staged' });
    expect(h.clerk.rotations(MACHINE_ID)).toBe(1);
  });
});

describe('Concurrency: the race window, measured on the local stack', () => {
  let stack: LocalStack | undefined;
  afterAll(async () => {
    await stack?.close();
  });

  it('is the time from createSecret’s read of Clerk’s key to the rotate’s response', async () => {
    const windows: number[] = [];
    let readAt: number | undefined;
    stack = await startLocalStack({
      beforeFunctionCall: (call) => {
        if (call.step !== 'createSecret' || call.service !== 'clerk') return;
        if (call.operation === 'getMachineSecretKey') readAt = performance.now();
      },
      writeLog: (line) => {
        if (readAt !== undefined && line.includes('"outcome":"rotated"')) {
          windows.push(performance.now() - readAt);
          readAt = undefined;
        }
      },
    });
    for (let i = 0; i < 15; i++) {
      const machine = await stack.addMachine();
      await stack.rotate(machine.secretName);
    }
    windows.sort((a, b) => a - b);
    const median = windows[Math.floor(windows.length / 2)] ?? Number.NaN;
    console.log(
      `race window (Clerk read → staged), ${windows.length} rotations on the local stack: median ${median.toFixed(1)} ms, max ${windows.at(-1)?.toFixed(1)} ms`,
    );
    expect(windows).toHaveLength(15);
    expect(median).toBeGreaterThan(0);
  });
});
