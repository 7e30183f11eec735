import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_KEYS } from '../../lib/Logger.ts';
import { MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

afterEach(() => {
  // Every test: no key value in any log line or error message, and every line has exactly the fixed keys.
  expect(harness.leaks()).toEqual([]);
  for (const line of harness.parsedLogs()) {
    const metricName = typeof line._aws === 'object' ? String(line.message).replace('metric ', '') : undefined;
    expect(Object.keys(line).filter((k) => k !== '_aws' && k !== metricName)).toEqual([...LOG_KEYS]);
  }
});

describe('Function: handler — a clean rotation', () => {
  it('rotates once at Clerk, stages, proves and promotes the new key, and keeps the old one working for the TTL', async () => {
    // Prepare
    harness = new RotationHarness({ extra: { owner: 'payments', nested: { a: 1 } } });
    const oldKey = harness.clerk.currentKey(MACHINE_ID);
    const oldVersion = harness.sm.versionIdWith(harness.machineSecret, 'AWSCURRENT');
    const startedAt = harness.clerk.nowMs;

    // Act
    const { token, failures } = await harness.rotate();

    // Assess
    expect(failures).toEqual([]);
    const current = harness.currentValue();
    const newKey = harness.clerk.currentKey(MACHINE_ID);
    expect(newKey).not.toBe(oldKey);
    expect(current.secretKey).toBe(newKey);
    expect(current.machineId).toBe(MACHINE_ID);
    expect(current.owner).toBe('payments');
    expect(current.nested).toEqual({ a: 1 });
    expect(current.rotatedAt).toBe(new Date(startedAt).toISOString());
    expect(current.previousKeyExpiresAt).toBe(new Date(startedAt + 28_800_000).toISOString());
    expect(harness.clerk.rotations()).toBe(1);
    expect(harness.sm.stagesOf(harness.machineSecret)).toEqual({
      [token]: ['AWSCURRENT'],
      [oldVersion!]: ['AWSPREVIOUS'],
    });
    expect(harness.clerk.isKeyValid(MACHINE_ID, oldKey)).toBe(true);
    harness.advance(28_800);
    expect(harness.clerk.isKeyValid(MACHINE_ID, oldKey)).toBe(false);
    expect(harness.clerk.isKeyValid(MACHINE_ID, newKey)).toBe(true);
  });

  it('makes 17 AWS calls and 4 Clerk calls: per step 7+2, 2+0, 3+1, 5+1', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    const perStep: Record<string, [number, number]> = {};
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const [aws, clerk] = [harness.sm.calls.length, harness.clerk.calls.length];
      await harness.step(step, token);
      perStep[step] = [harness.sm.calls.length - aws, harness.clerk.calls.length - clerk];
    }
    expect(perStep).toEqual({
      // Describe, pending?, AWSCURRENT, instance key, record (TagResource), lock (Describe), put; Clerk read + rotate
      createSecret: [7, 2],
      setSecret: [2, 0],
      // Describe, pending, AWSCURRENT (a test-only run?); the key authenticates
      testSecret: [3, 1],
      // Describe, pending, instance key, two label moves; the last check: still Clerk's current key?
      finishSecret: [5, 1],
    });
  });

  it('sends the Clerk calls with the instance key for /machines and the machine key for /m2m_tokens, and the headers Clerk expects', async () => {
    harness = new RotationHarness();
    await harness.rotate();
    const byOperation = Object.fromEntries(harness.clerk.calls.map((c) => [c.operation, c]));
    expect(byOperation.GetMachineSecretKey?.keyKind).toBe('instance');
    expect(byOperation.RotateMachineSecretKey?.keyKind).toBe('instance');
    expect(byOperation.RotateMachineSecretKey?.body).toEqual({ previous_token_ttl: 28_800 });
    expect(byOperation.RotateMachineSecretKey?.headers['Content-Type']).toBe('application/json');
    expect(byOperation.ListM2MTokens?.keyKind).toBe('machine');
    for (const call of harness.clerk.calls) {
      expect(call.headers['Clerk-API-Version']).toBe('2026-05-12');
      expect(call.headers['User-Agent']).toMatch(/^clerk-machine-key-rotator\/\d+\.\d+\.\d+$/);
    }
  });

  it('passes the RotationToken through to PutSecretValue and never logs it', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    const rotationToken = 'rotation-token-c4f1e0d2-very-private';
    await harness.step('createSecret', token, { RotationToken: rotationToken });
    const put = harness.sm.mock.commandCalls(PutSecretValueCommand)[0];
    expect(put?.args[0].input.RotationToken).toBe(rotationToken);
    expect(put?.args[0].input.VersionStages).toEqual(['AWSPENDING']);
    expect(harness.logs.join('\n')).not.toContain(rotationToken);
  });

  it('logs one line per step with the fixed keys and the outcome', async () => {
    harness = new RotationHarness();
    const { token } = await harness.rotate();
    const lines = harness.parsedLogs().filter((l) => l.level === 'info');
    expect(lines.map((l) => [l.step, l.outcome])).toEqual([
      ['createSecret', 'rotated'],
      ['setSecret', 'confirmed'],
      ['testSecret', 'verified'],
      ['finishSecret', 'promoted'],
    ]);
    expect(lines.every((l) => l.versionId === token && l.secretArn === harness.machineSecret.arn)).toBe(true);
    expect(lines[0]).toMatchObject({ machineId: MACHINE_ID, adopted: false });
    expect(typeof lines[0]?.durationMs).toBe('number');
  });
});

describe('Function: handler — every step is idempotent', () => {
  it('re-running each step after success changes nothing and calls Clerk no more', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    await harness.step('createSecret', token);
    const afterCreate = harness.sm.snapshot();
    await harness.step('createSecret', token);
    expect(harness.sm.snapshot()).toBe(afterCreate);
    expect(harness.clerk.rotations()).toBe(1);
    await harness.step('setSecret', token);
    await harness.step('setSecret', token);
    await harness.step('testSecret', token);
    await harness.step('finishSecret', token);
    const done = harness.sm.snapshot();
    const clerkCalls = harness.clerk.calls.length;
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await expect(harness.step(step, token)).resolves.toMatchObject({ outcome: 'already-current' });
    }
    expect(harness.sm.snapshot()).toBe(done);
    expect(harness.clerk.calls.length).toBe(clerkCalls);
  });

  it('finishSecret re-run after a crash between the two label moves removes the leftover AWSPENDING', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    // The Lambda dies after moving AWSCURRENT, before removing AWSPENDING.
    harness.sm.inject('UpdateSecretVersionStage', { kind: 'pass' }, { kind: 'before', name: 'TimeoutError' });
    const sm = harness.sm;
    await expect(harness.step('finishSecret', token)).rejects.toThrow(/UpdateSecretVersionStage failed/);
    expect(sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT', 'AWSPENDING']);
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({ outcome: 'cleared-pending-label' });
    expect(sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT']);
  });
});
