import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';
import { MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

/**
 * Two createSecret invocations with the same token at once: the residual risk recorded in
 * docs/decisions/006-concurrent-createsecret.md. These tests pin down the behaviour and measure the race window.
 */
describe('Concurrency: two createSecret invocations for the same rotation', () => {
  it('started together, each sees the other’s rotate record and steps back; the next attempt rotates once', async () => {
    const h = new RotationHarness();
    const token = h.startRotation();
    const results = await Promise.allSettled([h.step('createSecret', token), h.step('createSecret', token)]);
    expect(h.clerk.rotations(MACHINE_ID)).toBe(0);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status))).toEqual([
      'ROTATE_IN_FLIGHT',
      'ROTATE_IN_FLIGHT',
    ]);
    const { failures } = await h.rotate({ token });
    expect(failures).toEqual([]);
    expect(h.clerk.rotations(MACHINE_ID)).toBe(1);
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

  it('a duplicate createSecret started 0–38 ms after Secrets Manager’s own never rotates twice (20 trials, real HTTP)', async () => {
    let trial: { secretArn: string; token: string; delayMs: number } | undefined;
    const duplicates: Promise<unknown>[] = [];
    const local = await startLocalStack({
      writeLog: (line) => process.env.DEBUG_CONC && console.log(line),
      beforeFunctionCall: (call) => {
        if (trial === undefined || call.step !== 'createSecret' || call.operation !== 'DescribeSecret') return;
        const { secretArn, token, delayMs } = trial;
        trial = undefined;
        duplicates.push(
          new Promise((resolve) => setTimeout(resolve, delayMs))
            .then(() => local.invokeStep('createSecret', secretArn, token))
            .catch(() => undefined),
        );
      },
    });
    stack = local;
    const outcomes = { rotatedOnce: 0, double: 0 };
    for (let i = 0; i < Number(process.env.TRIALS ?? 20); i++) {
      const machine = await local.addMachine();
      const token = randomUUID();
      trial = { secretArn: machine.secretArn, token, delayMs: i * 2 };
      await local.rotate(machine.secretName, { token });
      await Promise.all(duplicates.splice(0));
      await local.secretsManager.rotationsIdle();
      const rotations = local.clerk.rotationHistory(machine.machineId).filter((r) => r.source === 'api').length;
      if (rotations > 1) outcomes.double += 1;
      else if (rotations === 1) outcomes.rotatedOnce += 1;
    }
    console.log(`duplicate createSecret 0–38 ms after Secrets Manager's, 20 trials: ${JSON.stringify(outcomes)}`);
    expect(outcomes.double).toBe(0);
    expect(outcomes.rotatedOnce).toBe(20);
  });

  it('is the time from createSecret’s read of Clerk’s key to the rotate’s response', async () => {
    await stack?.close();
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
