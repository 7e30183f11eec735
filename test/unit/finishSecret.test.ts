import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvVar } from '../../lib/constants.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;
const NOTIFY_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:consumer';

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

describe('Function: finishSecret — an overlap that ran out before the rotation finished', () => {
  it('reports a dead AWSCURRENT key loudly (error line with OVERLAP_EXPIRED and a metric) and still promotes', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '60' } });
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    harness.advance(61); // Secrets Manager retried for a while; the old key's 60 s ran out.
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({
      outcome: 'promoted-after-overlap-expired',
    });
    const lines = harness.parsedLogs();
    expect(lines.find((l) => l.errorCode === ErrorCode.overlapExpired)).toMatchObject({
      level: 'error',
      machineId: MACHINE_ID,
      message: expect.stringMatching(/stopped working at Clerk before this rotation finished/),
    });
    expect(lines.find((l) => l.OverlapExpired === 1)).toBeDefined();
    expect(harness.currentValue().secretKey).toBe(harness.clerk.currentKey(MACHINE_ID));
  });

  it('reports it too when the invocation stalls between reading the pending value and the promotion', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '120' } });
    harness.remainingMs = 900_000; // Lambda's longest timeout: a stall this long is possible
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    // The overlap still has 120 s when finishSecret starts; the invocation then stalls for 301 s before it moves AWSCURRENT.
    harness.sm.inject('UpdateSecretVersionStage', { kind: 'run', run: () => harness.advance(301) });
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({
      outcome: 'promoted-after-overlap-expired',
    });
    expect(harness.parsedLogs().find((l) => l.errorCode === ErrorCode.overlapExpired)).toBeDefined();
  });

  it('still promotes, and reports loudly, when Clerk cannot be asked whether the replaced key works', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '60' } });
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    harness.advance(61);
    const down = { kind: 'status' as const, status: 503, code: 'service_unavailable' };
    harness.clerk.inject('ListM2MTokens', down, down, down, down);
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({
      outcome: 'promoted-after-overlap-expired',
    });
    expect(harness.parsedLogs().find((l) => l.outcome === 'overlap-unverified')).toMatchObject({
      level: 'error',
      errorCode: ErrorCode.overlapExpired,
      message: expect.stringMatching(/could not be checked \(CLERK_SERVER_ERROR\)/),
    });
    expect(harness.parsedLogs().find((l) => l.OverlapExpired === 1)).toBeDefined();
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT']);
  });

  it('reports it right after the move, even when removing AWSPENDING then fails, and again on the re-run (F6)', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '60' } });
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    harness.advance(61);
    // AWSCURRENT moves; removing AWSPENDING fails. The check ran between the two: a new rotation that starts before
    // the re-run (and moves AWSPREVIOUS) can no longer hide the expired overlap.
    harness.sm.inject('UpdateSecretVersionStage', { kind: 'pass' }, { kind: 'before', name: 'InternalServiceError' });
    await expect(harness.step('finishSecret', token)).rejects.toThrow(/UpdateSecretVersionStage failed/);
    expect(harness.parsedLogs().filter((l) => l.errorCode === ErrorCode.overlapExpired)).toHaveLength(1);
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({
      outcome: 'cleared-pending-label-overlap-expired',
    });
    expect(harness.parsedLogs().find((l) => l.errorCode === ErrorCode.overlapExpired)).toBeDefined();
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT']);
  });

  it('reports it loudly, without failing, when the replaced key cannot be read after the move', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '60' } });
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    harness.advance(61);
    // Reads: the pending value, the instance key, then (after the move) the replaced version: that one fails. A
    // failure here would leave the report to a re-run that a new rotation can supersede.
    const pass = { kind: 'pass' as const };
    harness.sm.inject('GetSecretValue', pass, pass, { kind: 'before', name: 'InternalServiceError' });
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({
      outcome: 'promoted-after-overlap-expired',
    });
    expect(harness.parsedLogs().find((l) => l.outcome === 'overlap-unverified')).toMatchObject({
      level: 'error',
      errorCode: ErrorCode.overlapExpired,
      message: expect.stringMatching(/could not be checked \(reading version [0-9a-f-]+: SECRET_STORE_FAILED\)/),
    });
    expect(harness.parsedLogs().find((l) => l.OverlapExpired === 1)).toBeDefined();
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT']);
  });

  it('carries on to the report when the move happened but its reply was lost (labels re-read)', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '60' } });
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    harness.advance(61);
    harness.sm.inject('UpdateSecretVersionStage', { kind: 'lost-after', name: 'InternalServiceError' });
    await expect(harness.step('finishSecret', token)).resolves.toMatchObject({
      outcome: 'promoted-after-overlap-expired',
    });
    const lines = harness.parsedLogs();
    expect(lines.find((l) => l.level === 'warn')?.message).toMatch(/reported a failure, but the labels show version/);
    expect(lines.find((l) => l.errorCode === ErrorCode.overlapExpired)).toBeDefined();
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSCURRENT']);
  });

  it('fails as before when the move failed and the labels confirm it did not happen', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    harness.sm.inject('UpdateSecretVersionStage', { kind: 'before', name: 'InternalServiceError' });
    await expect(harness.step('finishSecret', token)).rejects.toThrow(/UpdateSecretVersionStage failed/);
    expect(harness.sm.stagesOf(harness.machineSecret)[token]).toEqual(['AWSPENDING']);
  });

  it('stays quiet when the expiry passed but the key still works (an adopted key, whose rotation time is unknown)', async () => {
    harness = new RotationHarness();
    harness.clerk.rotate(MACHINE_ID, 28_800); // dashboard rotation: adopted, expiry recorded as "now"
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.parsedLogs().filter((l) => l.level === 'error')).toEqual([]);
    expect(harness.parsedLogs().find((l) => l.step === 'finishSecret')?.outcome).toBe('promoted');
  });

  it('costs one Clerk call on a clean rotation (the last check), none for the overlap', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    for (const step of ['createSecret', 'setSecret', 'testSecret']) await harness.step(step, token);
    const clerkCalls = harness.clerk.calls.length;
    await harness.step('finishSecret', token);
    expect(harness.clerk.calls.slice(clerkCalls).map((c) => c.operation)).toEqual(['GetMachineSecretKey']);
  });
});

describe('Function: finishSecret — rotation notifications', () => {
  it('invokes each configured function asynchronously with the secret, version and machine, never the key', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    harness = new RotationHarness({
      env: { [EnvVar.notifyFunctionArns]: NOTIFY_ARN },
      lambda: () => new LambdaClient({ region: 'us-east-1' }),
    });
    const { token } = await harness.rotate();
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: NOTIFY_ARN, InvocationType: 'Event' });
    const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
    expect(payload).toEqual({
      type: 'clerk-machine-key-rotated',
      secretId: harness.machineSecret.arn,
      versionId: token,
      machineId: MACHINE_ID,
    });
    lambda.restore();
  });

  it('never fails the rotation when a notification fails: it logs and counts it', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    harness = new RotationHarness({
      env: { [EnvVar.notifyFunctionArns]: NOTIFY_ARN },
      lambda: () => new LambdaClient({ region: 'us-east-1' }),
    });
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.sm.stagesOf(harness.machineSecret)).toBeDefined();
    const lines = harness.parsedLogs();
    expect(lines.find((l) => l.RotationNotificationFailed === 1)).toBeDefined();
    expect(lines.find((l) => l.level === 'warn' && l.errorCode === 'AccessDeniedException')).toBeDefined();
    lambda.restore();
  });

  it('refuses a malformed ROTATION_NOTIFY_FUNCTION_ARNS before any call', async () => {
    harness = new RotationHarness({ env: { [EnvVar.notifyFunctionArns]: 'consumer-function' } });
    const token = harness.startRotation();
    await expect(harness.step('createSecret', token)).rejects.toMatchObject({
      code: ErrorCode.configInvalid,
      message: expect.stringMatching(/ROTATION_NOTIFY_FUNCTION_ARNS/),
    });
    expect(harness.sm.calls).toEqual([]);
  });
});
