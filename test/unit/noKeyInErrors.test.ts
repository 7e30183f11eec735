import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RotatorError } from '../../lib/errors.ts';
import { RotationHarness } from '../support/rotationHarness.ts';

describe('Errors: no key can be read from any error the project creates', () => {
  it('the leak check reads errors as util.inspect shows them, cause chain included', () => {
    // Prepare: an error whose message is clean but whose cause quotes a key, as fetch's header errors did.
    const harness = new RotationHarness();
    const key = harness.clerk.instanceKey;
    harness.errors.push(
      new RotatorError(ErrorCode.clerkNetwork, 'network error', { cause: new TypeError(`bad header: Bearer ${key}`) }),
    );

    // Assess
    expect(harness.leaks()).toHaveLength(1);
  });

  it('an instance-key secret holding two keys on two lines is INSTANCE_KEY_INVALID, not a network error, before any Clerk call', async () => {
    // Prepare
    const harness = new RotationHarness();
    const key = harness.clerk.instanceKey;
    const versionId = harness.sm.versionIdWith(harness.instanceSecret, 'AWSCURRENT')!;
    harness.instanceSecret.versions.get(versionId)!.value = `${key}\nsk_test_${'b'.repeat(24)}`;

    // Act
    const { failures } = await harness.rotate();

    // Assess
    expect(failures[0]).toMatchObject({ code: ErrorCode.instanceKeyInvalid });
    expect(failures[0]?.message).toMatch(/contains characters a key cannot contain/);
    expect(harness.clerk.calls).toEqual([]);
    expect(inspect(failures[0], { depth: 10 })).not.toContain(key);
    expect(harness.leaks()).toEqual([]);
  });
});
