import { afterEach, describe, expect, it } from 'vitest';
import { EnvVar, TagKey } from '../../lib/constants.ts';
import { ErrorCode } from '../../lib/errors.ts';
import { MACHINE_ID, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

async function expectConfigError(h: RotationHarness, message: RegExp) {
  const token = h.startRotation();
  const before = h.sm.snapshot();
  const error = await h.step('createSecret', token).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: ErrorCode.configInvalid });
  expect((error as Error).message).toMatch(message);
  expect(h.sm.snapshot()).toBe(before);
  expect(h.clerk.rotations()).toBe(0);
}

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

describe('Function: handler — configuration from the environment', () => {
  it.each([
    ['-1', /PREVIOUS_KEY_TTL_SECONDS: must be a whole number of seconds from 0 to 28800, got "-1"/],
    ['28801', /got "28801"/],
    ['abc', /got "abc"/],
    ['1.5', /got "1.5"/],
    ['1e3', /got "1e3"/],
  ])('refuses PREVIOUS_KEY_TTL_SECONDS=%s', async (value, message) => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: value } });
    await expectConfigError(harness, message);
  });

  it.each([
    ['http://api.clerk.com/v1', /CLERK_API_URL: must be an https URL .* got "http:\/\/api.clerk.com"/],
    ['ftp://127.0.0.1/v1', /got "ftp:\/\/127.0.0.1"/],
    ['not a url', /which is not a URL/],
    ['https://user:pw@api.clerk.com/v1', /without credentials/],
  ])('refuses CLERK_API_URL=%s', async (value, message) => {
    harness = new RotationHarness({ env: { [EnvVar.clerkApiUrl]: value } });
    await expectConfigError(harness, message);
  });

  it('accepts http to a loopback host (the local stack)', async () => {
    harness = new RotationHarness({ env: { [EnvVar.clerkApiUrl]: 'http://127.0.0.1:4010/v1' } });
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
  });

  it('honours PREVIOUS_KEY_TTL_SECONDS=0: the old key dies at once', async () => {
    harness = new RotationHarness({ env: { [EnvVar.previousKeyTtlSeconds]: '0' } });
    const oldKey = harness.clerk.currentKey(MACHINE_ID);
    await harness.rotate();
    expect(harness.clerk.calls.find((c) => c.operation === 'RotateMachineSecretKey')?.body).toEqual({
      previous_token_ttl: 0,
    });
    expect(harness.clerk.isKeyValid(MACHINE_ID, oldKey)).toBe(false);
  });

  it('requires CLERK_SECRET_KEY_SECRET_ID unless the secret is tagged', async () => {
    harness = new RotationHarness({ env: { [EnvVar.instanceKeySecretId]: undefined } });
    await expectConfigError(harness, /CLERK_SECRET_KEY_SECRET_ID: is required/);
  });

  it('names the setting when the instance-key secret does not exist', async () => {
    harness = new RotationHarness({ env: { [EnvVar.instanceKeySecretId]: 'clerk/missing' } });
    await expectConfigError(
      harness,
      /CLERK_SECRET_KEY_SECRET_ID: names instance-key secret clerk\/missing, which does not exist/,
    );
  });

  it('refuses an instance-key secret that holds a machine key, without echoing it', async () => {
    harness = new RotationHarness();
    const id = harness.sm.versionIdWith(harness.instanceSecret, 'AWSCURRENT')!;
    harness.instanceSecret.versions.get(id)!.value = harness.clerk.currentKey(MACHINE_ID);
    const token = harness.startRotation();
    const error = (await harness.step('createSecret', token).catch((e: Error) => e)) as Error;
    expect(error).toMatchObject({ code: ErrorCode.instanceKeyInvalid });
    expect(error.message).toMatch(/got a machine key/);
    expect(harness.clerk.rotations()).toBe(0);
  });

  it('accepts the instance key as JSON {"secretKey": …}', async () => {
    harness = new RotationHarness();
    const id = harness.sm.versionIdWith(harness.instanceSecret, 'AWSCURRENT')!;
    harness.instanceSecret.versions.get(id)!.value = JSON.stringify({ secretKey: harness.clerk.instanceKey });
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
  });
});

describe('Function: handler — per-secret overrides through tags', () => {
  it('takes the TTL from the secret tag over the environment', async () => {
    harness = new RotationHarness({
      env: { [EnvVar.previousKeyTtlSeconds]: '600' },
      tags: { [TagKey.previousKeyTtlSeconds]: '3600' },
    });
    await harness.rotate();
    expect(harness.clerk.calls.find((c) => c.operation === 'RotateMachineSecretKey')?.body).toEqual({
      previous_token_ttl: 3600,
    });
  });

  it('names the tag when its value is out of range', async () => {
    harness = new RotationHarness({ tags: { [TagKey.previousKeyTtlSeconds]: '99999' } });
    await expectConfigError(harness, /secret tag clerk-rotator:previous-key-ttl-seconds: .* got "99999"/);
  });

  it('takes the instance-key secret from the tag (a second Clerk instance), naming the tag in errors', async () => {
    harness = new RotationHarness({
      tags: { [TagKey.instanceKeySecretId]: 'clerk/other-instance' },
      env: {
        [EnvVar.allowedInstanceKeySecretIds]:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk/other-instance-AbCdEf',
      },
    });
    await expectConfigError(
      harness,
      /secret tag clerk-rotator:instance-key-secret-id: names instance-key secret clerk\/other-instance/,
    );
    harness.sm.createSecret('clerk/other-instance', harness.clerk.instanceKey);
    harness.clearPendingLabels();
    const { failures } = await harness.rotate();
    expect(failures).toEqual([]);
  });

  it('refuses an empty instance-key tag', async () => {
    harness = new RotationHarness({ tags: { [TagKey.instanceKeySecretId]: ' ' } });
    await expectConfigError(harness, /must be a secret name or ARN, got an empty value/);
  });

  it('refuses an invalid minimum-interval tag', async () => {
    harness = new RotationHarness({ tags: { [TagKey.minRotationIntervalSeconds]: '-5' } });
    await expectConfigError(
      harness,
      /min-rotation-interval-seconds: must be a whole number of seconds from 0 to 86400/,
    );
  });
});
