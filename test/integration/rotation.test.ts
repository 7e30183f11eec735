import { GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';

/**
 * Real rotations: the Secrets Manager emulator drives the real handler (real SDK client and fetch over HTTP) against
 * the Clerk emulator.
 */
let stack: LocalStack;
let logs: string[];

async function start(options: Parameters<typeof startLocalStack>[0] = {}) {
  logs = [];
  stack = await startLocalStack({
    writeLog: (line) => logs.push(line),
    clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    ...options,
  });
  return stack;
}

afterEach(async () => {
  // No key in any log line of the rotation function.
  const keys = [stack.clerk.defaultInstance.secretKey, ...issuedKeys];
  expect(logs.filter((line) => keys.some((key) => line.includes(key)))).toEqual([]);
  issuedKeys.length = 0;
  await stack.close();
});

const issuedKeys: string[] = [];

async function currentValue(secretId: string): Promise<{ machineId: string; secretKey: string; [k: string]: unknown }> {
  const out = await stack.client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = JSON.parse(out.SecretString ?? 'null');
  issuedKeys.push(value.secretKey);
  return value;
}

function labels(secretId: string): string[][] {
  return (stack.secretsManager.inspectSecret(secretId)?.versions ?? [])
    .filter((v) => v.stages.length > 0)
    .map((v) => [...v.stages].sort());
}

const lastRotation = (secretArn: string) =>
  stack.secretsManager
    .rotations()
    .filter((r) => r.secretArn === secretArn)
    .at(-1);

describe('Integration: rotations through both emulators', () => {
  it('rotates once at Clerk, promotes the new key, keeps the old one for the TTL, then only the new one works', async () => {
    await start();
    const machine = await stack.addMachine({ extraFields: { team: 'payments' } });
    const oldValue = await currentValue(machine.secretName);

    await stack.rotate(machine.secretName);

    const newValue = await currentValue(machine.secretName);
    expect(lastRotation(machine.secretArn)?.outcome).toBe('succeeded');
    expect(newValue.secretKey).not.toBe(oldValue.secretKey);
    expect(newValue.secretKey).toBe(stack.clerk.currentKey(machine.machineId));
    expect(newValue.team).toBe('payments');
    expect(stack.clerk.rotationsFor(machine.machineId)).toHaveLength(1);
    expect(labels(machine.secretName)).toEqual([['AWSPREVIOUS'], ['AWSCURRENT']]);
    expect(stack.clerk.isKeyValid(machine.machineId, oldValue.secretKey)).toBe(true);
    stack.clock.advance?.(28_800_000);
    expect(stack.clerk.isKeyValid(machine.machineId, oldValue.secretKey)).toBe(false);
    expect(stack.clerk.isKeyValid(machine.machineId, newValue.secretKey)).toBe(true);
  });

  it('RotateImmediately=false runs only testSecret and changes nothing', async () => {
    await start();
    const machine = await stack.addMachine();
    const rotation = lastRotation(machine.secretArn);
    expect(rotation?.outcome).toBe('succeeded');
    expect(stack.secretsManager.stepInvocations().map((s) => s.step)).toEqual(['testSecret']);
    expect(stack.clerk.rotationsFor(machine.machineId)).toHaveLength(0);
    expect(labels(machine.secretName)).toEqual([['AWSCURRENT']]);
    expect(stack.secretsManager.audit.count('PutSecretValue')).toBe(0);
  });

  it('retries a failed step the way Secrets Manager does and still rotates once', async () => {
    await start();
    const machine = await stack.addMachine();
    // The first createSecret exhausts its read retries and fails; Secrets Manager retries the rotation.
    stack.clerk.faults.failNext('getMachineSecretKey', { status: 503, times: 4 });
    await stack.rotate(machine.secretName);
    const rotation = lastRotation(machine.secretArn);
    expect(rotation?.outcome).toBe('succeeded');
    expect(rotation?.attempts.length).toBe(2);
    expect(stack.clerk.rotationsFor(machine.machineId)).toHaveLength(1);
    expect((await currentValue(machine.secretName)).secretKey).toBe(stack.clerk.currentKey(machine.machineId));
  });

  it('a rotation that keeps failing leaves AWSPENDING, and RotateSecret is refused until it is cleared', async () => {
    await start({ rotationMaxAttempts: 2 });
    const machine = await stack.addMachine();
    stack.clerk.faults.failNext('getMachineSecretKey', { status: 500, times: 100 });
    await stack.rotate(machine.secretName);
    expect(lastRotation(machine.secretArn)?.outcome).toBe('failed');
    expect(labels(machine.secretName)).toEqual([['AWSCURRENT'], ['AWSPENDING']]);
    await expect(
      stack.client.send(new RotateSecretCommand({ SecretId: machine.secretName, RotateImmediately: true })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/previous rotation isn't complete/),
    });
    expect(stack.clerk.rotationsFor(machine.machineId)).toHaveLength(0);
    const logged = logs.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
    expect(logged[0]).toMatchObject({ step: 'createSecret', errorCode: 'CLERK_SERVER_ERROR' });
  });

  it('rotates two machines independently', async () => {
    await start();
    const a = await stack.addMachine();
    const b = await stack.addMachine();
    const bBefore = await currentValue(b.secretName);
    await stack.rotate(a.secretName);
    expect((await currentValue(b.secretName)).secretKey).toBe(bBefore.secretKey);
    expect(stack.clerk.rotationsFor(b.machineId)).toHaveLength(0);
    await stack.rotate(b.secretName);
    expect(stack.clerk.rotationsFor(a.machineId)).toHaveLength(1);
    expect(stack.clerk.rotationsFor(b.machineId)).toHaveLength(1);
    expect((await currentValue(a.secretName)).secretKey).toBe(stack.clerk.currentKey(a.machineId));
    expect((await currentValue(b.secretName)).secretKey).toBe(stack.clerk.currentKey(b.machineId));
  });

  it('serves two Clerk instances from one function through the per-secret tag', async () => {
    await start();
    const other = await stack.addInstance('clerk/other-instance-key');
    const a = await stack.addMachine();
    const b = await stack.addMachine({ instanceId: other.instanceId });
    await stack.rotate(a.secretName);
    await stack.rotate(b.secretName);
    expect(lastRotation(b.secretArn)?.outcome).toBe('succeeded');
    expect((await currentValue(b.secretName)).secretKey).toBe(stack.clerk.currentKey(b.machineId));
    const rotates = stack.clerk.audit.entries({ operation: 'rotateMachineSecretKey' as never });
    expect(rotates.map((e) => e.instanceId)).toEqual([stack.clerk.defaultInstance.id, other.instanceId]);
  });

  it('adopts a dashboard rotation made between two scheduled rotations instead of rotating again', async () => {
    await start();
    const machine = await stack.addMachine();
    await stack.rotate(machine.secretName);
    stack.clock.advance?.(3_600_000);
    const dashboardKey = stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 3600 });
    issuedKeys.push(dashboardKey);
    stack.clock.advance?.(600_000);
    await stack.rotate(machine.secretName);
    expect(lastRotation(machine.secretArn)?.outcome).toBe('succeeded');
    expect((await currentValue(machine.secretName)).secretKey).toBe(dashboardKey);
    expect(stack.clerk.rotationsFor(machine.machineId)).toHaveLength(1);
    const adopted = logs.map((l) => JSON.parse(l)).find((l) => l.step === 'createSecret' && l.outcome === 'adopted');
    expect(adopted).toMatchObject({ adopted: true, machineId: machine.machineId });
  });
});
