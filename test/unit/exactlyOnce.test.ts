import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

/** After any rotation: AWSCURRENT holds Clerk's current key and Clerk rotated exactly once. */
function expectRotatedOnce(h: RotationHarness, token: string) {
  expect(h.clerk.rotations(MACHINE_ID)).toBe(1);
  expect(h.sm.stagesOf(h.machineSecret)[token]).toEqual(['AWSCURRENT']);
  expect(h.currentValue().secretKey).toBe(h.clerk.currentKey(MACHINE_ID));
  expect(h.pendingValue()).toBeUndefined();
}

describe('Function: createSecret — exactly-once rotation at Clerk', () => {
  it('adopts the key when the rotate response is lost, without rotating again', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'lost-after' });
    const { token, failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expectRotatedOnce(harness, token);
    const create = harness.parsedLogs().find((l) => l.step === 'createSecret' && l.outcome !== null);
    expect(create).toMatchObject({ outcome: 'adopted', adopted: true });
    // The overlap still counts from when our rotate was sent.
    expect(harness.currentValue().previousKeyExpiresAt).toBe(new Date(harness.clerk.nowMs + 28_800_000).toISOString());
  });

  it('adopts when a rotate times out after Clerk processed it', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'lost-after' });
    harness.remainingMs = 60_000;
    const { token, failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expectRotatedOnce(harness, token);
  });

  it('rotates a second time only after Clerk confirms the first 5xx rotate did not happen', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'status', status: 503, code: 'service_unavailable' });
    const { token, failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expectRotatedOnce(harness, token);
    const ops = harness.clerk.calls.map((c) => `${c.operation}:${c.status}`);
    expect(ops.slice(0, 4)).toEqual([
      'GetMachineSecretKey:200',
      'RotateMachineSecretKey:503',
      'GetMachineSecretKey:200',
      'RotateMachineSecretKey:200',
    ]);
  });

  it('gives up after two rotates Clerk refused with 5xx and lets Secrets Manager retry the rotation', async () => {
    harness = new RotationHarness();
    const refused = { kind: 'status' as const, status: 500, code: 'internal_clerk_error' };
    harness.clerk.inject('RotateMachineSecretKey', refused, refused);
    const { token, failures } = await harness.rotate({ attempts: 2 });
    expect(failures.map((e) => (e as { code?: string }).code)).toEqual([ErrorCode.rotateOutcomeUnknown]);
    expectRotatedOnce(harness, token);
  });

  it.each([
    ['a dropped connection', { kind: 'network-before' as const }],
    ['a timeout', { kind: 'timeout' as const }],
    [
      'a gateway page without Clerk’s envelope',
      { kind: 'raw' as const, status: 502, body: '<html/>', contentType: 'text/html' },
    ],
  ])('never rotates again in the same invocation after %s: a rotate in flight could still land', async (_, fault) => {
    harness = new RotationHarness();
    harness.remainingMs = 15_000;
    harness.clerk.inject('RotateMachineSecretKey', fault);
    const { token, failures } = await harness.rotate({ attempts: 2 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: ErrorCode.rotateOutcomeUnknown });
    expect(failures[0]?.message).toMatch(/not rotating again in this invocation/);
    const rotatesInFirstAttempt = harness.clerk.calls
      .slice(
        0,
        harness.clerk.calls.findIndex((c) => c.operation === 'ListM2MTokens'),
      )
      .filter((c) => c.operation === 'RotateMachineSecretKey');
    expect(rotatesInFirstAttempt).toHaveLength(2); // one per invocation: the faulted one, then the retry's
    expectRotatedOnce(harness, token);
  });

  it('does not rotate twice when the reconcile read after an ambiguous rotate also fails', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'lost-after' });
    harness.clerk.inject('GetMachineSecretKey', { kind: 'pass' });
    // First GET (pre-check) passes; the reconcile GET fails on every retry.
    const failReconcile = Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 502 }));
    harness.clerk.inject('GetMachineSecretKey', ...failReconcile);
    const { token, failures } = await harness.rotate({ attempts: 2 });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toMatch(/GetMachineSecretKey: Clerk returned a server error/);
    expectRotatedOnce(harness, token);
  });

  it('adopts on the next attempt when PutSecretValue fails after Clerk rotated', async () => {
    harness = new RotationHarness();
    harness.sm.inject('PutSecretValue', { kind: 'before', name: 'InternalServiceError' });
    const { token, failures } = await harness.rotate({ attempts: 2 });
    expect(failures.map((e) => e.message)).toEqual([
      expect.stringMatching(/PutSecretValue failed: InternalServiceError/),
    ]);
    expectRotatedOnce(harness, token);
  });

  it('treats a put whose response was lost as staged on the retry', async () => {
    harness = new RotationHarness();
    harness.sm.inject('PutSecretValue', { kind: 'lost-after' });
    const { token, failures } = await harness.rotate({ attempts: 2 });
    expect(failures).toHaveLength(1);
    expectRotatedOnce(harness, token);
    expect(harness.parsedLogs().some((l) => l.outcome === 'already-staged')).toBe(true);
  });

  it('adopts a key rotated in the Clerk dashboard before the scheduled rotation ran', async () => {
    harness = new RotationHarness();
    const dashboardKey = harness.clerk.rotate(MACHINE_ID, 3600);
    const { token, failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.clerk.rotations()).toBe(0);
    expect(harness.currentValue().secretKey).toBe(dashboardKey);
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT']);
  });

  it('retries a rotate refused with 429 after Retry-After: Clerk did not process it', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', {
      kind: 'status',
      status: 429,
      code: 'too_many_requests',
      retryAfter: '2',
    });
    const before = harness.clerk.nowMs;
    const { token, failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expectRotatedOnce(harness, token);
    expect(harness.clerk.nowMs - before).toBeGreaterThanOrEqual(2000);
  });

  it('survives a crash at every outbound call of createSecret: one rotation in the end', async () => {
    const points = [
      ['sm', 'DescribeSecret'],
      ['sm', 'GetSecretValue'],
      ['clerk', 'GetMachineSecretKey'],
      ['clerk', 'RotateMachineSecretKey'],
      ['sm', 'PutSecretValue'],
    ] as const;
    for (const [side, operation] of points) {
      for (const kind of ['before', 'lost-after'] as const) {
        harness = new RotationHarness();
        if (side === 'sm')
          harness.sm.inject(
            operation as 'DescribeSecret',
            kind === 'before' ? { kind, name: 'TimeoutError' } : { kind },
          );
        else
          harness.clerk.inject(
            operation as 'GetMachineSecretKey',
            kind === 'before' ? { kind: 'network-before' } : { kind },
          );
        // Reads are retried inside one invocation; a rotate never is: either way one rotation, and done.
        const { token, failures } = await harness.rotate({ attempts: 3 });
        expect(failures.length, `${side} ${operation} ${kind}`).toBeLessThanOrEqual(1);
        expectRotatedOnce(harness, token);
      }
    }
  });
});

describe('Function: testSecret — proves the pending key', () => {
  it('fails with PENDING_KEY_STALE when someone rotated at Clerk after createSecret, and the documented recovery works', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    await harness.step('createSecret', token);
    await harness.step('setSecret', token);
    const dashboardKey = harness.clerk.rotate(MACHINE_ID, 28_800);
    const error = await harness.step('testSecret', token).catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: ErrorCode.pendingKeyStale });
    expect((error as Error).message).toMatch(/--version-stage AWSPENDING --remove-from-version-id/);
    // Recovery: remove the label, rotate again: the next createSecret adopts Clerk's key.
    harness.machineSecret.versions.get(token)!.stages.delete('AWSPENDING');
    harness.advance(600);
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.currentValue().secretKey).toBe(dashboardKey);
    expect(harness.clerk.rotations()).toBe(1);
  });

  it('waits for propagation when a fresh key is not accepted at once', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('ListM2MTokens', { kind: 'status', status: 401, code: 'authentication_invalid' });
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.clerk.calls.filter((c) => c.operation === 'ListM2MTokens')).toHaveLength(2);
  });

  it('fails when the pending key never authenticates', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    await harness.step('createSecret', token);
    const unauthorized = { kind: 'status' as const, status: 401, code: 'authentication_invalid' };
    harness.clerk.inject('ListM2MTokens', unauthorized, unauthorized, unauthorized);
    await expect(harness.step('testSecret', token)).rejects.toMatchObject({ code: ErrorCode.clerkUnauthorized });
  });

  it('RotateImmediately=false: passes against a pending copy of the current value and changes nothing', async () => {
    harness = new RotationHarness();
    const current = harness.sm.valueWith(harness.machineSecret, 'AWSCURRENT');
    const token = harness.sm.stagePending(harness.machineSecret, undefined, current);
    const before = harness.sm.snapshot();
    await expect(harness.step('testSecret', token)).resolves.toMatchObject({ outcome: 'verified' });
    expect(harness.sm.snapshot()).toBe(before);
    expect(harness.clerk.rotations()).toBe(0);
    expect(harness.sm.count('PutSecretValue') + harness.sm.count('UpdateSecretVersionStage')).toBe(0);
  });

  it('setSecret and testSecret fail clearly when createSecret staged nothing', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    await expect(harness.step('setSecret', token)).rejects.toMatchObject({ code: ErrorCode.pendingValueMissing });
    await expect(harness.step('testSecret', token)).rejects.toMatchObject({ code: ErrorCode.pendingValueMissing });
  });
});

describe('Function: createSecret — minimum interval between rotations', () => {
  it('refuses a second Clerk rotation within the default 900 s of the last, and allows it after', async () => {
    harness = new RotationHarness();
    await harness.rotate();
    harness.advance(120);
    const { failures } = await harness.rotate();
    expect(failures[0]).toMatchObject({ code: ErrorCode.rotationTooSoon });
    expect(failures[0]?.message).toMatch(/120 s ago.*minimum interval of 900 s/);
    expect(harness.clerk.rotations()).toBe(1);
    harness.advance(800);
    harness.clearPendingLabels();
    const second = await harness.rotate();
    expect(second.failures).toEqual([]);
    expect(harness.clerk.rotations()).toBe(2);
  });

  it('can be lowered per secret with a tag for an emergency', async () => {
    harness = new RotationHarness({ tags: { 'clerk-rotator:min-rotation-interval-seconds': '0' } });
    await harness.rotate();
    harness.advance(1);
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.clerk.rotations()).toBe(2);
  });
});
