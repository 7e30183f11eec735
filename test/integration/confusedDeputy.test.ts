/**
 * The confused deputy, through the real handler on the local stack: whoever can write machine secret A's value (but
 * not read machine B's secret) points A at B — in the same Clerk instance, and in another instance by also pointing
 * A's instance-key tag at it — and starts a rotation. The rotation must refuse before any Clerk call and store
 * nothing: B's key never reaches A.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { TagKey } from '../../lib/constants.ts';
import type { LocalMachine, LocalStack } from '../../localstack/LocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function pointAt(local: LocalStack, victim: LocalMachine, target: LocalMachine, tags: Record<string, string>) {
  const value = await local.client.send(new GetSecretValueCommand({ SecretId: victim.secretName }));
  const own = JSON.parse(value.SecretString ?? '{}') as Record<string, unknown>;
  await local.client.send(
    new PutSecretValueCommand({
      SecretId: victim.secretName,
      SecretString: JSON.stringify({ ...own, machineId: target.machineId }),
    }),
  );
  if (Object.keys(tags).length > 0) {
    await local.client.send(
      new TagResourceCommand({
        SecretId: victim.secretName,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
}

/** Rotates the victim and returns what the rotation did: its error code, the Clerk calls it made, what A now holds. */
async function attempt(local: LocalStack, victim: LocalMachine) {
  const clerkCallsBefore = local.clerk.audit.count();
  const valueBefore = (await local.client.send(new GetSecretValueCommand({ SecretId: victim.secretName })))
    .SecretString;
  await local.client.send(new RotateSecretCommand({ SecretId: victim.secretName, RotateImmediately: true }));
  const rotation = local.secretsManager.rotations().at(-1);
  const valueAfter = (await local.client.send(new GetSecretValueCommand({ SecretId: victim.secretName }))).SecretString;
  const versions = local.secretsManager.inspectSecret(victim.secretName)?.versions ?? [];
  return {
    outcome: rotation?.outcome,
    errorMessages: rotation?.attempts.flatMap((a) => a.steps.map((step) => step.error?.message ?? '')) ?? [],
    clerkCalls: local.clerk.audit.count() - clerkCallsBefore,
    unchanged: valueAfter === valueBefore,
    pendingWithValue: versions.filter((v) => v.stages.includes('AWSPENDING') && v.hasValue).length,
  };
}

describe('Bind every secret: the confused deputy on the local stack', () => {
  it('same instance: a value pointed at another machine is refused, with nothing stored and no Clerk call', async () => {
    const local = await startLocalStack({});
    stack = local;
    const a = await local.addMachine({ name: 'victim' });
    const b = await local.addMachine({ name: 'target' });
    await pointAt(local, a, b, {});

    const result = await attempt(local, a);

    expect(result.outcome).toBe('failed');
    expect(result.errorMessages.join('\n')).toMatch(
      /names machine mch_\w+, but secret .* is bound by its clerk-rotator:machine-id tag/,
    );
    expect(result).toMatchObject({ clerkCalls: 0, unchanged: true, pendingWithValue: 0 });
    expect(local.clerk.rotationHistory(b.machineId)).toHaveLength(0);
  });

  it('across instances: pointing the instance-key tag at the other instance as well changes nothing either', async () => {
    const local = await startLocalStack({});
    stack = local;
    const a = await local.addMachine({ name: 'victim' });
    const other = await local.addInstance('clerk/instance-two');
    const c = await local.addMachine({ name: 'other-instance', instanceId: other.instanceId });
    await pointAt(local, a, c, { [TagKey.instanceKeySecretId]: other.secretName });

    const result = await attempt(local, a);

    expect(result.outcome).toBe('failed');
    expect(result.errorMessages.join('\n')).toMatch(/is bound by its clerk-rotator:machine-id tag/);
    expect(result).toMatchObject({ clerkCalls: 0, unchanged: true, pendingWithValue: 0 });
  });

  it('an instance-key tag naming a secret outside the allowlist is refused, with no Clerk call', async () => {
    const local = await startLocalStack({});
    stack = local;
    const a = await local.addMachine({ name: 'victim' });
    await local.client.send(
      new TagResourceCommand({
        SecretId: a.secretName,
        Tags: [{ Key: TagKey.instanceKeySecretId, Value: 'clerk/someone-elses-instance' }],
      }),
    );

    const result = await attempt(local, a);

    expect(result.outcome).toBe('failed');
    expect(result.errorMessages.join('\n')).toMatch(/not an instance-key secret this function may use/);
    expect(result).toMatchObject({ clerkCalls: 0, unchanged: true, pendingWithValue: 0 });
  });
});
