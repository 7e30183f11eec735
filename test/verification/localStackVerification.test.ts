import { afterEach, describe, expect, it } from 'vitest';
import { Metric } from '../../lib/constants.ts';
import type { LocalStack } from '../../localstack/LocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';

let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('Local stack: the verification against both emulators', () => {
  it('heals a dashboard rotation: the adopting rotation puts Clerk’s key in AWSCURRENT, with no Clerk rotate', async () => {
    stack = await startLocalStack({});
    const machine = await stack.addMachine();
    await stack.addMachine();
    stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 28_800 });
    const apiRotationsBefore = stack.clerk.rotationHistory(machine.machineId).filter((r) => r.source === 'api').length;

    const summary = await stack.verify();

    expect(summary.counts).toMatchObject({ 'in-sync': 1, drift: 1, [Metric.driftHealed]: 1 });
    await stack.secretsManager.rotationsIdle();
    const current = stack.secretsManager.inspectSecret(machine.secretName);
    expect(current?.lastRotatedAt).toBeDefined();
    const again = await stack.verify();
    expect(again.counts).toMatchObject({ 'in-sync': 2 });
    expect(stack.clerk.rotationHistory(machine.machineId).filter((r) => r.source === 'api')).toHaveLength(
      apiRotationsBefore,
    );
  });
});
