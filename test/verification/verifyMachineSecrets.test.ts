import { afterEach, describe, expect, it } from 'vitest';
import { parseVerifyEvent } from '../../lambda/verify.ts';
import { EnvVar, Metric, ROTATE_RECORD_TAG_PREFIX, TagKey } from '../../lib/constants.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { MACHINE_ID, PAST_HORIZON_SECONDS, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

const verdicts = (h: RotationHarness) => h.verifyLogs.map((line) => JSON.parse(line) as Record<string, unknown>);
const metric = (h: RotationHarness, name: string) =>
  verdicts(h).find((line) => line[name] !== undefined)?.[name] as number | undefined;

describe('Function: the scheduled verification', () => {
  it('finds a secret in sync with one Secrets Manager read and one Clerk read, and counts it', async () => {
    harness = new RotationHarness();
    const summary = await harness.verify();
    expect(summary).toMatchObject({ verified: 1, counts: { 'in-sync': 1, [Metric.inSync]: 1 } });
    expect(harness.sm.calls.map((c) => c.operation)).toEqual(['ListSecrets', 'GetSecretValue', 'GetSecretValue']);
    // The second GetSecretValue is the instance key: once per instance per run, not per secret.
    expect(harness.clerk.calls.map((c) => c.operation)).toEqual(['GetMachineSecretKey']);
    expect(metric(harness, Metric.inSync)).toBe(1);
  });

  it('reads the instance key once per run, however many machines share it', async () => {
    harness = new RotationHarness();
    for (let i = 0; i < 5; i++) harness.addMachine(`mch_fleet${i}aaaaaaaaaaaaaaaaaaaaaa`);
    await harness.verify();
    expect(harness.sm.count('GetSecretValue')).toBe(6 + 1);
    expect(harness.clerk.calls).toHaveLength(6);
  });

  it('heals a dashboard rotation by starting a rotation that adopts Clerk’s key — never a new Clerk rotate', async () => {
    harness = new RotationHarness();
    const dashboardKey = harness.clerk.rotate(MACHINE_ID, 28_800);
    const summary = await harness.verify();
    expect(summary.counts).toMatchObject({ drift: 1, [Metric.driftFound]: 1, [Metric.driftHealed]: 1 });
    const line = verdicts(harness).find((l) => l.outcome === 'drift:started');
    expect(line).toMatchObject({ level: 'warn', machineId: MACHINE_ID });
    expect(line?.message).toMatch(/Clerk still accepts it/);
    const [healing] = harness.sm.startedRotations;
    const { failures } = await harness.rotate({ token: healing });
    expect(failures).toEqual([]);
    expect(harness.currentValue().secretKey).toBe(dashboardKey);
    expect(harness.clerk.rotations()).toBe(0);
  });

  it('pages when Clerk rejects AWSCURRENT’s key, and heals', async () => {
    harness = new RotationHarness();
    harness.clerk.rotate(MACHINE_ID, 0); // the old key dies at once
    const summary = await harness.verify();
    expect(summary.counts).toMatchObject({ [Metric.currentKeyRejected]: 1, [Metric.driftHealed]: 1 });
    expect(verdicts(harness).find((l) => l.outcome === 'drift:started')).toMatchObject({ level: 'error' });
    expect(metric(harness, Metric.currentKeyRejected)).toBe(1);
  });

  it('reports drift without healing when healing is off', async () => {
    harness = new RotationHarness();
    harness.clerk.rotate(MACHINE_ID, 28_800);
    const summary = await harness.verify({ env: { [EnvVar.verifyHeal]: 'false' } });
    expect(summary.counts).toMatchObject({ drift: 1, [Metric.driftFound]: 1 });
    expect(summary.counts[Metric.driftHealed]).toBeUndefined();
    expect(harness.sm.startedRotations).toEqual([]);
  });

  it('does not heal while a recorded rotate may still land, and heals once its horizon has passed', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', { kind: 'late', afterMs: 2_000 });
    const { failures } = await harness.rotate();
    expect(failures[0]).toMatchObject({ code: ErrorCode.rotateOutcomeUnknown });
    harness.clearPendingLabels(); // the runbook's command, run while the rotate is in flight
    harness.advance(5); // the late rotate lands: Clerk now holds a key no version has
    await harness.verify();
    expect(verdicts(harness).find((l) => l.outcome === 'drift:waiting')).toBeDefined();
    expect(harness.sm.startedRotations).toEqual([]);
    harness.advance(PAST_HORIZON_SECONDS);
    await harness.verify();
    const [healing] = harness.sm.startedRotations;
    expect((await harness.rotate({ token: healing })).failures).toEqual([]);
    expect(harness.currentValue().secretKey).toBe(harness.clerk.currentKey(MACHINE_ID));
    expect(harness.clerk.rotations()).toBe(1);
  });

  it('leaves a young AWSPENDING to its rotation, and reports one past the stuck threshold (clearing it to heal drift)', async () => {
    harness = new RotationHarness();
    const stuck = harness.startRotation();
    await harness.verify();
    expect(verdicts(harness).some((l) => l.outcome === 'rotation-in-progress')).toBe(true);
    harness.advance(3_601);
    let summary = await harness.verify();
    expect(summary.counts).toMatchObject({ 'pending-stuck': 1, [Metric.pendingStuck]: 1 });
    harness.clerk.rotate(MACHINE_ID, 28_800);
    summary = await harness.verify();
    expect(summary.counts).toMatchObject({ drift: 1, [Metric.pendingStuck]: 1, [Metric.driftHealed]: 1 });
    expect(harness.sm.stagesOf(harness.machineSecret)[stuck]).toBeUndefined();
  });

  it('counts a secret it cannot verify (binding broken) as VerificationFailed, naming the code, and goes on', async () => {
    harness = new RotationHarness();
    const other = harness.addMachine('mch_otherMachine0000000000000000');
    other.tags[TagKey.machineId] = 'mch_somethingElse000000000000000';
    const summary = await harness.verify();
    expect(summary.counts).toMatchObject({ 'in-sync': 1, invalid: 1, [Metric.verificationFailed]: 1 });
    expect(verdicts(harness).find((l) => l.outcome === 'invalid')).toMatchObject({
      level: 'error',
      errorCode: ErrorCode.machineBindingInvalid,
    });
  });

  it('skips secrets another rotation function rotates, and untagged ones', async () => {
    harness = new RotationHarness();
    const foreign = harness.addMachine('mch_foreign000000000000000000000');
    foreign.rotationLambdaArn = 'arn:aws:lambda:us-east-1:123456789012:function:someone-else';
    harness.sm.createSecret('unrelated', '{}');
    expect((await harness.verify()).verified).toBe(1);
  });

  it('paces Clerk calls to its share of the instance’s rate limit', async () => {
    harness = new RotationHarness();
    for (let i = 0; i < 9; i++) harness.addMachine(`mch_paced${i}aaaaaaaaaaaaaaaaaaaaaa`);
    const started = harness.clerk.nowMs;
    // 100 requests per 10 s, 10 %: one Clerk call a second.
    await harness.verify({ env: { [EnvVar.clerkRateLimitPer10Seconds]: '100', [EnvVar.verifyClerkRateShare]: '0.1' } });
    expect(harness.clerk.calls).toHaveLength(10);
    expect(harness.clerk.nowMs - started).toBeGreaterThanOrEqual(9_000);
  });

  it('hands the rest of a run to another invocation when time runs out, and resumes where it stopped', async () => {
    harness = new RotationHarness();
    harness.sm.pageSize = 4;
    for (let i = 0; i < 9; i++) harness.addMachine(`mch_paged${i}aaaaaaaaaaaaaaaaaaaaaa`);
    const started = harness.clerk.nowMs;
    const first = await harness.verify({ remainingMs: 4_500 }); // one Clerk call a second: about 5 secrets
    expect(first.continuedAt).toEqual(harness.continuations[0]);
    expect(first.continuedAt?.resumeAt).toBeGreaterThan(harness.clerk.nowMs - 1_000);
    const second = await harness.verify({ event: { continuation: harness.continuations[0] } });
    expect(first.verified + second.verified).toBe(10);
    expect(new Set(harness.clerk.calls.map((c) => c.machineId)).size).toBe(10);
    // The continuation keeps the pace: ten calls, one a second, however many invocations they span.
    expect(harness.clerk.nowMs - started).toBeGreaterThanOrEqual(9_000);
  });

  it('refuses a malformed continuation event with EVENT_INVALID', () => {
    expect(() => parseVerifyEvent({ continuation: { skip: -1 } })).toThrow(/continuation must be/);
    expect(() => parseVerifyEvent({ continuation: { skip: 0, resumeAt: 'soon' } })).toThrow(/resumeAt/);
    expect(parseVerifyEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBeUndefined();
  });

  it('names a bad setting in its environment', async () => {
    harness = new RotationHarness();
    await expect(harness.verify({ env: { [EnvVar.verifyClerkRateShare]: '1.5' } })).rejects.toMatchObject({
      code: ErrorCode.configInvalid,
      message: expect.stringMatching(
        /VERIFY_CLERK_RATE_SHARE: must be a share greater than 0 and at most 1.*got "1.5"/,
      ),
    });
    expect(Object.keys(harness.machineSecret.tags).some((k) => k.startsWith(ROTATE_RECORD_TAG_PREFIX))).toBe(false);
  });
});
