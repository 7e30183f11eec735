import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { FUNCTION_ARN, MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

/** Each refusal: a typed error, no change in Secrets Manager, no call to Clerk. */
async function expectRefused(run: () => Promise<unknown>, code: string, message: RegExp) {
  const before = harness.sm.snapshot();
  const error = await run().catch((e: unknown) => e);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(message);
  expect(harness.sm.snapshot()).toBe(before);
  expect(harness.clerk.calls).toEqual([]);
  const last = harness.parsedLogs().at(-1);
  expect(last).toMatchObject({ level: 'error', outcome: 'failed', errorCode: code });
}

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

describe('Function: handler — the preamble', () => {
  it('refuses a secret that is not enabled for rotation (RotationEnabled absent)', async () => {
    harness = new RotationHarness({ rotationEnabled: false });
    const token = harness.startRotation();
    await expectRefused(
      () => harness.step('createSecret', token),
      ErrorCode.rotationNotEnabled,
      /not enabled for rotation/,
    );
  });

  it('refuses a secret configured for another function, but accepts a version or alias of this one', async () => {
    harness = new RotationHarness();
    harness.machineSecret.rotationLambdaArn = 'arn:aws:lambda:us-east-1:123456789012:function:someone-else';
    const token = harness.startRotation();
    await expectRefused(() => harness.step('createSecret', token), ErrorCode.rotationFunctionMismatch, /someone-else/);
    harness.machineSecret.rotationLambdaArn = `${FUNCTION_ARN}:live`;
    await expect(harness.step('createSecret', token)).resolves.toMatchObject({ outcome: 'rotated' });
  });

  it('refuses a token that is not a version of the secret', async () => {
    harness = new RotationHarness();
    await expectRefused(
      () => harness.step('createSecret', '11111111-2222-3333-4444-555555555555'),
      ErrorCode.versionNotStaged,
      /is not a version of secret/,
    );
  });

  it('refuses a token that is staged but not AWSPENDING', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    harness.machineSecret.versions.get(token)!.stages.clear();
    harness.machineSecret.versions.get(token)!.stages.add('AWSPREVIOUS');
    await expectRefused(() => harness.step('setSecret', token), ErrorCode.versionNotPending, /labels: AWSPREVIOUS/);
  });

  it('returns at once for a token that is already AWSCURRENT', async () => {
    harness = new RotationHarness();
    const current = harness.sm.versionIdWith(harness.machineSecret, 'AWSCURRENT')!;
    await expect(harness.step('createSecret', current)).resolves.toEqual({ outcome: 'already-current' });
    expect(harness.clerk.calls).toEqual([]);
    expect(harness.sm.calls.map((c) => c.operation)).toEqual(['DescribeSecret']);
  });
});

describe('Function: handler — bad events', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'createSecret', /expected an object/],
    ['an array', [], /expected an object/],
    ['null', null, /expected an object/],
    [
      'missing Step',
      { SecretId: 'x', ClientRequestToken: 'a'.repeat(36) },
      /Step must be one of createSecret, setSecret/,
    ],
    [
      'snake_case step',
      { Step: 'create_secret', SecretId: 'x', ClientRequestToken: 'a'.repeat(36) },
      /got "create_secret"/,
    ],
    ['numeric step', { Step: 1, SecretId: 'x', ClientRequestToken: 'a'.repeat(36) }, /got number 1/],
    [
      'missing SecretId',
      { Step: 'createSecret', ClientRequestToken: 'a'.repeat(36) },
      /SecretId must be a non-empty string/,
    ],
    ['empty SecretId', { Step: 'createSecret', SecretId: '', ClientRequestToken: 'a'.repeat(36) }, /SecretId/],
    ['missing token', { Step: 'createSecret', SecretId: 'x' }, /ClientRequestToken must be 32 to 64/],
    ['short token', { Step: 'createSecret', SecretId: 'x', ClientRequestToken: 'abc' }, /got "abc"/],
    [
      'token with a slash',
      { Step: 'createSecret', SecretId: 'x', ClientRequestToken: `${'a'.repeat(35)}/` },
      /32 to 64/,
    ],
    [
      'RotationToken of the wrong type',
      { Step: 'createSecret', SecretId: 'x', ClientRequestToken: 'a'.repeat(36), RotationToken: 42 },
      /RotationToken must be a string/,
    ],
  ];
  it.each(cases)('refuses %s with EVENT_INVALID before any call', async (_, event, message) => {
    harness = new RotationHarness();
    await expectRefused(() => harness.handler(event, harness.context), ErrorCode.eventInvalid, message);
    expect(harness.sm.calls).toEqual([]);
  });
});

describe('Function: handler — the machine secret value', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', 'ak_notjson', /SecretString is not JSON \(10 characters\)/],
    ['a JSON array', '[1,2]', /must be a JSON object, got an array/],
    ['a JSON string', '"x"', /must be a JSON object, got a JSON string/],
    ['machineId missing', JSON.stringify({ secretKey: 'ak_x1' }), /machineId must match .* got nothing/],
    ['machineId with a slash', JSON.stringify({ machineId: 'mch_a/b', secretKey: 'ak_x1' }), /got "mch_a\/b"/],
    ['machineId with ..', JSON.stringify({ machineId: 'mch_..', secretKey: 'ak_x1' }), /machineId must match/],
    ['machineId with %2F', JSON.stringify({ machineId: 'mch_a%2Fb', secretKey: 'ak_x1' }), /machineId must match/],
    ['machineId with unicode', JSON.stringify({ machineId: 'mch_é', secretKey: 'ak_x1' }), /machineId must match/],
    [
      'machineId of 65 KB',
      JSON.stringify({ machineId: `mch_${'a'.repeat(65_000)}`, secretKey: 'ak_x1' }),
      /\(65004 characters\)/,
    ],
    ['machineId a number', JSON.stringify({ machineId: 7, secretKey: 'ak_x1' }), /got number 7/],
    [
      'secretKey missing',
      JSON.stringify({ machineId: MACHINE_ID }),
      /secretKey must be .* starting with "ak_", got nothing/,
    ],
    [
      'secretKey an instance key',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'sk_test_abc' }),
      /starting with "sk_test_"/,
    ],
    [
      'secretKey with another prefix',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'xx_secret' }),
      /9-character value/,
    ],
    [
      'rotatedAt not a date',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'ak_x1', rotatedAt: 'soon' }),
      /rotatedAt must be an ISO-8601/,
    ],
  ];
  it.each(cases)(
    'refuses AWSCURRENT that is %s with SECRET_FORMAT_INVALID and changes nothing',
    async (_, value, message) => {
      harness = new RotationHarness();
      const currentId = harness.sm.versionIdWith(harness.machineSecret, 'AWSCURRENT')!;
      harness.machineSecret.versions.get(currentId)!.value = value;
      const token = harness.startRotation();
      await expectRefused(() => harness.step('createSecret', token), ErrorCode.secretFormatInvalid, message);
      expect(harness.errors.at(-1)?.message).not.toContain('xx_secret');
      expect(harness.errors.at(-1)?.message).not.toContain('sk_test_abc');
    },
  );
});
