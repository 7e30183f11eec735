import { afterEach, describe, expect, it } from 'vitest';
import { TagKey } from '../../lib/constants.ts';
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
      /secretKey must be a Clerk machine secret key \("ak_" followed by letters, digits, "_" or "-"\), got nothing/,
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
      'secretKey with a line break (two keys on two lines)',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'ak_first1\nak_second2' }),
      /contains characters a key cannot contain/,
    ],
    [
      'secretKey with a carriage return',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'ak_first1\r' }),
      /contains characters a key cannot contain/,
    ],
    [
      'secretKey with a NUL',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'ak_first1\u0000' }),
      /contains characters a key cannot contain/,
    ],
    [
      'secretKey with a space',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: 'ak_first 1' }),
      /contains characters a key cannot contain/,
    ],
    [
      'secretKey of 300 characters',
      JSON.stringify({ machineId: MACHINE_ID, secretKey: `ak_${'a'.repeat(297)}` }),
      /a key of 300 characters \(at most 259\)/,
    ],
    ['secretKey only the prefix', JSON.stringify({ machineId: MACHINE_ID, secretKey: 'ak_' }), /only the prefix "ak_"/],
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
      expect(harness.errors.at(-1)?.message).not.toContain('first');
    },
  );
});

describe('Function: handler — the binding of a secret to its machine', () => {
  const OTHER_MACHINE = 'mch_3otherMachine0000000000000000';

  it('refuses a secret without the clerk-rotator:machine-id tag, before any Clerk call', async () => {
    harness = new RotationHarness();
    delete harness.machineSecret.tags[TagKey.machineId];
    const token = harness.startRotation();
    await expectRefused(
      () => harness.step('createSecret', token),
      ErrorCode.machineBindingInvalid,
      /has no clerk-rotator:machine-id tag/,
    );
  });

  it('refuses a value naming another machine than the tag (the confused deputy), before any Clerk call', async () => {
    harness = new RotationHarness();
    harness.clerk.addMachine(OTHER_MACHINE);
    const currentId = harness.sm.versionIdWith(harness.machineSecret, 'AWSCURRENT')!;
    const mine = JSON.parse(harness.machineSecret.versions.get(currentId)!.value!);
    harness.machineSecret.versions.get(currentId)!.value = JSON.stringify({ ...mine, machineId: OTHER_MACHINE });
    const token = harness.startRotation();
    await expectRefused(
      () => harness.step('createSecret', token),
      ErrorCode.machineBindingInvalid,
      new RegExp(
        `names machine ${OTHER_MACHINE}, but secret .* is bound by its clerk-rotator:machine-id tag to "${MACHINE_ID}"`,
      ),
    );
  });

  it('refuses an instance-key tag outside the deploy-time allowlist, before any Clerk call', async () => {
    harness = new RotationHarness({ tags: { [TagKey.instanceKeySecretId]: 'clerk/someone-elses-instance' } });
    harness.sm.createSecret('clerk/someone-elses-instance', harness.clerk.instanceKey);
    const token = harness.startRotation();
    await expectRefused(
      () => harness.step('createSecret', token),
      ErrorCode.instanceKeyNotAllowed,
      /names "clerk\/someone-elses-instance", which is not an instance-key secret this function may use; allowed: clerk\/instance-key/,
    );
  });

  it('refuses a pending value naming another machine at testSecret and finishSecret', async () => {
    harness = new RotationHarness();
    const token = harness.startRotation();
    await harness.step('createSecret', token);
    const pending = JSON.parse(harness.machineSecret.versions.get(token)!.value!);
    harness.machineSecret.versions.get(token)!.value = JSON.stringify({ ...pending, machineId: OTHER_MACHINE });
    harness.clerk.calls.length = 0;
    for (const step of ['testSecret', 'finishSecret'] as const) {
      await expectRefused(() => harness.step(step, token), ErrorCode.machineBindingInvalid, /bound by its/);
    }
  });
});

describe('Function: handler — values the format allows but time does not', () => {
  it('refuses, before any Clerk call, a value whose next version would not fit in Secrets Manager', async () => {
    harness = new RotationHarness({ extra: { notes: 'x'.repeat(65_300) } });
    const token = harness.startRotation();
    await expectRefused(
      () => harness.step('createSecret', token),
      ErrorCode.secretValueTooLarge,
      /would take up to 6\d{4} bytes, more than Secrets Manager's 65536/,
    );
  });

  it('ignores a rotatedAt in the future (with a warning) instead of refusing every rotation', async () => {
    harness = new RotationHarness({ extra: { rotatedAt: '9999-12-31T23:59:59.000Z' } });
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(harness.clerk.rotations()).toBe(1);
    expect(
      harness.parsedLogs().some((l) => l.level === 'warn' && /in the future; ignored/.test(String(l.message))),
    ).toBe(true);
  });

  it('treats timestamps that are not dates as unknown, with a warning, and replaces them', async () => {
    harness = new RotationHarness({ extra: { rotatedAt: 'soon', previousKeyExpiresAt: 42 } });
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    expect(Date.parse(String(harness.currentValue().rotatedAt))).toBe(harness.clerk.nowMs);
    expect(
      harness.parsedLogs().some((l) => /rotatedAt and previousKeyExpiresAt is not an ISO-8601/.test(String(l.message))),
    ).toBe(true);
  });

  it('keeps a field named __proto__ across a rotation, like any other field', async () => {
    harness = new RotationHarness();
    const currentId = harness.sm.versionIdWith(harness.machineSecret, 'AWSCURRENT')!;
    const raw = harness.machineSecret.versions.get(currentId)!.value!;
    harness.machineSecret.versions.get(currentId)!.value = `{"__proto__":{"owner":"team-a"},${raw.slice(1)}`;
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
    const next = harness.sm.valueWith(harness.machineSecret, 'AWSCURRENT')!;
    expect(next).toContain('"__proto__":{"owner":"team-a"}');
    expect(Object.getPrototypeOf(JSON.parse(next))).toBe(Object.prototype);
  });
});
