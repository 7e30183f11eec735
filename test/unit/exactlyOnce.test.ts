import { afterEach, describe, expect, it } from 'vitest';
import { ROTATE_RECORD_TAG_PREFIX, TagKey } from '../../lib/constants.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { MACHINE_ID, PAST_HORIZON_SECONDS, RotationHarness } from '../support/rotationHarness.ts';

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

const codes = (errors: readonly Error[]) => errors.map((e) => (e as { code?: string }).code);

describe('Function: createSecret — exactly-once rotation at Clerk', () => {
  it('waits out the landing horizon when the rotate reply is lost, then adopts the key without rotating again', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'lost-after' });
    const { token, failures } = await harness.rotate({ attempts: 3, waitSeconds: [0, PAST_HORIZON_SECONDS] });
    expect(codes(failures)).toEqual([ErrorCode.rotateOutcomeUnknown, ErrorCode.rotateInFlight]);
    expect(failures[0]?.message).toMatch(/Clerk already shows a new key.*Nothing rotates or adopts before 20/);
    expect(failures[1]).toMatchObject({ retryable: true, progressAt: expect.stringMatching(/^20/) });
    expectRotatedOnce(harness, token);
    const create = harness.parsedLogs().find((l) => l.step === 'createSecret' && l.outcome === 'adopted');
    expect(create).toMatchObject({ adopted: true });
  });

  it.each([
    ['a dropped connection', { kind: 'network-before' as const }],
    ['a timeout', { kind: 'timeout' as const }],
    [
      'a gateway page without Clerk’s envelope',
      { kind: 'raw' as const, status: 502, body: '<html/>', contentType: 'text/html' },
    ],
    ['Clerk’s own 5xx envelope', { kind: 'status' as const, status: 503, code: 'service_unavailable' }],
  ])('sends no second rotate before the horizon after %s, then rotates once', async (_, fault) => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', fault);
    const { token, failures } = await harness.rotate({ attempts: 4, waitSeconds: [0, 300, PAST_HORIZON_SECONDS] });
    expect(codes(failures)).toEqual([
      ErrorCode.rotateOutcomeUnknown,
      ErrorCode.rotateInFlight,
      ErrorCode.rotateInFlight,
    ]);
    expect(harness.clerk.calls.filter((c) => c.operation === 'RotateMachineSecretKey')).toHaveLength(2);
    expectRotatedOnce(harness, token);
  });

  it('a gateway 504 with Clerk’s envelope whose request lands 200 ms later: one rotation, and AWSCURRENT holds Clerk’s key', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', {
      kind: 'late',
      afterMs: 200,
      reply: { status: 504, code: 'gateway_timeout' },
    });
    const { token, failures } = await harness.rotate({ attempts: 3, waitSeconds: [0.1, PAST_HORIZON_SECONDS] });
    expect(codes(failures)).toEqual([ErrorCode.rotateOutcomeUnknown, ErrorCode.rotateInFlight]);
    harness.clerk.settle();
    expectRotatedOnce(harness, token);
  });

  it.each([0, 0.05, 0.1])(
    'a rotate processed 600 ms after the client gave up, re-attempted %s s later: one rotation, and AWSCURRENT holds Clerk’s key',
    async (reattemptAfter) => {
      harness = new RotationHarness();
      harness.clerk.inject('RotateMachineSecretKey', { kind: 'late', afterMs: 600 });
      const { token, failures } = await harness.rotate({
        attempts: 3,
        waitSeconds: [reattemptAfter, PAST_HORIZON_SECONDS],
      });
      expect(codes(failures)).toEqual([ErrorCode.rotateOutcomeUnknown, ErrorCode.rotateInFlight]);
      harness.clerk.settle();
      expectRotatedOnce(harness, token);
    },
  );

  it('a late rotate during a dashboard rotation (F5): nothing is adopted before the horizon, and AWSCURRENT ends on Clerk’s key', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'late', afterMs: 30_000 });
    const token = harness.startRotation();
    await expect(harness.step('createSecret', token)).rejects.toMatchObject({ code: ErrorCode.rotateOutcomeUnknown });
    harness.advance(1);
    harness.clerk.rotate(MACHINE_ID, 28_800); // an operator in the dashboard
    await expect(harness.step('createSecret', token)).rejects.toMatchObject({ code: ErrorCode.rotateInFlight });
    harness.advance(PAST_HORIZON_SECONDS); // our late rotate lands on the way
    const { failures } = await harness.rotate({ token });
    expect(failures).toEqual([]);
    expect(harness.clerk.rotations(MACHINE_ID)).toBe(1);
    expect(harness.currentValue().secretKey).toBe(harness.clerk.currentKey(MACHINE_ID));
  });

  it('does not rotate twice when the reconcile read after an ambiguous rotate also fails', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'lost-after' });
    harness.clerk.inject('GetMachineSecretKey', { kind: 'pass' });
    // First GET (pre-check) passes; the reconcile GET fails on every retry.
    const failReconcile = Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 502 }));
    harness.clerk.inject('GetMachineSecretKey', ...failReconcile);
    const { token, failures } = await harness.rotate({ attempts: 2, waitSeconds: PAST_HORIZON_SECONDS });
    expect(codes(failures)).toEqual([ErrorCode.rotateOutcomeUnknown]);
    expect(failures[0]?.message).toMatch(/Clerk could not be read to see whether it landed/);
    expectRotatedOnce(harness, token);
  });

  it('adopts once the horizon has passed when PutSecretValue fails after Clerk rotated (the record stays: F7)', async () => {
    harness = new RotationHarness();
    harness.sm.inject('PutSecretValue', { kind: 'before', name: 'InternalServiceError' });
    const { token, failures } = await harness.rotate({ attempts: 3, waitSeconds: [0, PAST_HORIZON_SECONDS] });
    expect(failures.map((e) => e.message)).toEqual([
      expect.stringMatching(/PutSecretValue failed: InternalServiceError/),
      expect.stringMatching(/may still land at Clerk until/),
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

  it('sends a rotate refused with 429 again after Retry-After, recorded again: Clerk did not process it', async () => {
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
    expect(harness.sm.count('TagResource')).toBe(2);
  });

  it('survives a crash at every outbound call of createSecret: one rotation in the end', async () => {
    const points = [
      ['sm', 'DescribeSecret'],
      ['sm', 'GetSecretValue'],
      ['sm', 'TagResource'],
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
        const { token, failures } = await harness.rotate({ attempts: 3, waitSeconds: PAST_HORIZON_SECONDS });
        expect(failures.length, `${side} ${operation} ${kind}`).toBeLessThanOrEqual(1);
        expectRotatedOnce(harness, token);
      }
    }
  });
});

describe('Function: createSecret — the durable rotate record', () => {
  it('records the rotate on the secret before sending it, and keeps only the last few settled records', async () => {
    harness = new RotationHarness({ tags: { [TagKey.minRotationIntervalSeconds]: '0' } });
    harness.sm.inject('TagResource', {
      kind: 'run',
      run: () => expect(harness.clerk.calls.some((c) => c.operation === 'RotateMachineSecretKey')).toBe(false),
    });
    await harness.rotate();
    const records = () => Object.keys(harness.machineSecret.tags).filter((k) => k.startsWith(ROTATE_RECORD_TAG_PREFIX));
    expect(records()).toHaveLength(1);
    const first = records()[0];
    for (let i = 0; i < 5; i++) {
      harness.advance(1);
      const { failures } = await harness.rotate();
      expect(failures).toEqual([]);
    }
    expect(harness.clerk.rotations()).toBe(6);
    expect(records()).toHaveLength(4); // three settled ones kept as history, plus the last rotate's
    expect(records()).not.toContain(first);
  });

  it('blocks adopting and rotating while another invocation’s rotate may still land, naming when progress comes', async () => {
    harness = new RotationHarness();
    const sentAt = new Date(harness.clerk.nowMs - 60_000).toISOString();
    harness.machineSecret.tags[`${ROTATE_RECORD_TAG_PREFIX}other`] = `${sentAt} 6b3c5e9e-5f7f-4c57-a8a0-000000000001`;
    harness.clerk.rotate(MACHINE_ID, 28_800); // Clerk's key changed: adopting it now could adopt the wrong key
    const token = harness.startRotation();
    const before = harness.sm.snapshot();
    const error = await harness.step('createSecret', token).catch((e: Error) => e);
    expect(error).toMatchObject({ code: ErrorCode.rotateInFlight, progressAt: '2026-11-30T12:09:00.000Z' });
    expect((error as Error).message).toMatch(/may still land at Clerk until 2026-11-30T12:09:00.000Z/);
    expect(harness.sm.snapshot()).toBe(before);
    expect(harness.clerk.calls).toEqual([]);
  });

  it('does not send a rotate without time for its full timeout and a reconcile read', async () => {
    harness = new RotationHarness();
    harness.remainingMs = 3_150; // 3 s safety margin leaves 150 ms: less than 2 × 100 ms + store calls
    const { failures } = await harness.rotate();
    expect(codes(failures)).toEqual([ErrorCode.rotateDeferred]);
    expect(failures[0]?.message).toMatch(/ms left, a rotate needs 1200 ms/);
    expect(harness.clerk.rotations()).toBe(0);
    expect(harness.sm.count('TagResource')).toBe(0);
  });

  it('two createSecret started together rotate at most once: each sees the other’s record and steps back', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    const results = await Promise.allSettled([
      harness.step('createSecret', token),
      harness.step('createSecret', token),
    ]);
    // Each wrote its record, read the secret again and saw the other's: both step back and remove their own.
    expect(results.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual([
      ErrorCode.rotateInFlight,
      ErrorCode.rotateInFlight,
    ]);
    expect(harness.clerk.rotations()).toBe(0);
    const { failures } = await harness.rotate({ token });
    expect(failures).toEqual([]);
    expect(harness.clerk.rotations()).toBe(1);
    expect(harness.currentValue().secretKey).toBe(harness.clerk.currentKey(MACHINE_ID));
  });
});

describe('Function: finishSecret — the last check before promotion', () => {
  it('refuses to promote a key rotated away at Clerk after it was staged, and converges on Clerk’s key without an operator', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await harness.step(step, token);
    const dashboardKey = harness.clerk.rotate(MACHINE_ID, 28_800);
    const keyAppsHold = harness.currentValue().secretKey;
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({ outcome: 'promotion-refused-healing' });
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toBeUndefined(); // no dying key promoted
    expect(harness.currentValue().secretKey).toBe(keyAppsHold);
    const refusal = harness.parsedLogs().find((l) => l.outcome === 'promotion-refused');
    expect(refusal).toMatchObject({ level: 'error', errorCode: ErrorCode.pendingKeyStale });
    expect(harness.parsedLogs().some((l) => l.PromotionRefused === 1)).toBe(true);
    // The healing rotation Secrets Manager runs next adopts Clerk's key: no second rotate at Clerk.
    const [healing] = harness.sm.startedRotations;
    expect(healing).toBeDefined();
    const { failures } = await harness.rotate({ token: healing });
    expect(failures).toEqual([]);
    expect(harness.currentValue().secretKey).toBe(dashboardKey);
    expect(harness.clerk.rotations()).toBe(1);
  });

  it('fails loudly, with AWSPENDING removed, when the healing rotation cannot be started', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await harness.step(step, token);
    harness.clerk.rotate(MACHINE_ID, 28_800);
    harness.sm.inject('RotateSecret', { kind: 'before', name: 'AccessDeniedException' });
    await expect(harness.step('finishSecret', token)).rejects.toMatchObject({ code: ErrorCode.pendingKeyStale });
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toBeUndefined();
  });
});

describe('Function: testSecret — proves the pending key', () => {
  it('passes a working key in a rotation; whether it is still Clerk’s current key is finishSecret’s last check', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    await harness.step('createSecret', token);
    harness.clerk.rotate(MACHINE_ID, 28_800);
    await expect(harness.step('testSecret', token)).resolves.toMatchObject({ outcome: 'verified' });
  });

  it('RotateImmediately=false fails with PENDING_KEY_STALE on drift, changing nothing', async () => {
    harness = new RotationHarness();
    harness.clerk.rotate(MACHINE_ID, 28_800); // a dashboard rotation Secrets Manager does not know about
    const current = harness.sm.valueWith(harness.machineSecret, 'AWSCURRENT');
    const token = harness.sm.stagePending(harness.machineSecret, undefined, current);
    const before = harness.sm.snapshot();
    await expect(harness.step('testSecret', token)).rejects.toMatchObject({ code: ErrorCode.pendingKeyStale });
    expect(harness.sm.snapshot()).toBe(before);
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
  it('refuses a second Clerk rotation within the default 1800 s of the last, and allows it after', async () => {
    harness = new RotationHarness();
    await harness.rotate();
    harness.advance(120);
    const { failures } = await harness.rotate();
    expect(failures[0]).toMatchObject({ code: ErrorCode.rotationTooSoon });
    expect(failures[0]?.message).toMatch(/120 s ago.*minimum interval of 1800 s/);
    expect(harness.clerk.rotations()).toBe(1);
    harness.advance(1_700);
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
