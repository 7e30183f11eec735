/**
 * The binding of a secret to its machine (tag `clerk-rotator:machine-id`, docs/decisions/008) for secrets made
 * before it: `init --adopt` and `repair` add the tag only once Clerk confirmed the machine, refuse otherwise
 * (MACHINE_MISMATCH), and never move a tag that disagrees with the value. Real processes against the local stack.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_URL, TagKey } from '../../lib/constants.ts';
import { milestones, stagesOf, tagsOf, useCliStack } from './cliTestSupport.ts';

describe('CLI: binding secrets made before the machine-id tag', () => {
  const fixture = useCliStack();
  const { cli, local } = fixture;

  /** A secret holding `{machineId, secretKey}` and no tag at all, as an older CLI or a hand-made one left it. */
  async function untaggedSecret(name: string, value: { machineId: string; secretKey: string }) {
    await fixture.stack.client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
    return name;
  }

  async function storedValue(secretName: string): Promise<string | undefined> {
    return (await fixture.stack.client.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString;
  }

  it('init --adopt binds an untagged secret once Clerk confirms its key is the machine’s', async () => {
    // Prepare
    const machine = fixture.stack.clerk.createMachine({ name: 'legacy-current' });
    const secret = await untaggedSecret('legacy/current', { machineId: machine.id, secretKey: machine.secretKey });

    // Act
    const run = await cli('init', machine.id, '--adopt', secret);
    const json = await local('--json', 'init', machine.id, '--adopt', secret);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `binding   ${TagKey.machineId} added: Clerk confirmed it: the value's key is the machine's current key`,
    );
    expect(await tagsOf(fixture.stack, secret)).toEqual({ [TagKey.machineId]: machine.id });
    // Bound now: a second run has nothing to confirm.
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ action: 'adopted', valueWritten: false, bindingAdded: null });
  });

  it('init --adopt refuses with MACHINE_MISMATCH when Clerk rejects the key the untagged value holds, and changes nothing', async () => {
    // Prepare: the value's key died at Clerk (rotated with no overlap in the dashboard).
    const machine = fixture.stack.clerk.createMachine({ name: 'legacy-dead' });
    fixture.stack.clerk.rotateViaDashboard(machine.id, { previousTokenTtlSeconds: 0 });
    const secret = await untaggedSecret('legacy/dead', { machineId: machine.id, secretKey: machine.secretKey });
    const before = await storedValue(secret);

    // Act
    const run = await cli('init', machine.id, '--adopt', secret);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error [MACHINE_MISMATCH]: ${secret} cannot be bound to ${machine.id} (tag ${TagKey.machineId}): the key its value holds is not Clerk's current key for ${machine.id}, and Clerk rejects it; nothing was changed`,
    );
    expect(run.stderr).toContain(`runbook: ${RUNBOOK_URL}#machine_mismatch`);
    expect(await tagsOf(fixture.stack, secret)).toEqual({});
    expect(await storedValue(secret)).toBe(before);
  });

  it('init --adopt refuses a value that names one machine but holds another machine’s key', async () => {
    // Prepare: someone pointed the value at machine A while it holds B's key.
    const a = fixture.stack.clerk.createMachine({ name: 'legacy-a' });
    const b = fixture.stack.clerk.createMachine({ name: 'legacy-b' });
    const secret = await untaggedSecret('legacy/pointed', { machineId: a.id, secretKey: b.secretKey });

    // Act
    const run = await cli('init', a.id, '--adopt', secret);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error [MACHINE_MISMATCH]: ${secret} cannot be bound to ${a.id}`);
    expect(run.stderr).toContain('and Clerk did not confirm that it accepts that key (CLERK_FORBIDDEN)');
    expect(await tagsOf(fixture.stack, secret)).toEqual({});
  });

  it('repair names a missing binding and its fix, adds the tag with --apply, and the function rotates the secret again', async () => {
    // Prepare: a rotating secret whose tag was lost; the rotation function refuses it.
    const machine = await fixture.stack.addMachine({ name: 'unbound' });
    await fixture.stack.client.send(
      new UntagResourceCommand({ SecretId: machine.secretName, TagKeys: [TagKey.machineId] }),
    );

    // Act
    const verifyBefore = await local('verify', machine.secretName);
    const dryRun = await cli('repair', machine.secretName);
    const stagesAfterDryRun = stagesOf(fixture.stack, machine.secretName);
    const tagsAfterDryRun = await tagsOf(fixture.stack, machine.secretName);
    const applied = await cli('--json', 'repair', machine.secretName, '--apply');
    const verifyAfter = await local('verify', machine.secretName);
    const rotated = await local('rotate', machine.secretName, '--wait', '--poll-interval', '0.2');

    // Assess
    expect(verifyBefore.code).toBe(1);
    expect(verifyBefore.stdout).toContain('verdict: invalid');
    expect(verifyBefore.stdout).toContain(
      `[MACHINE_BINDING_INVALID] secret ${machine.secretArn} has no ${TagKey.machineId} tag`,
    );

    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(
      `no ${TagKey.machineId} tag: the rotation function refuses the secret (MACHINE_BINDING_INVALID) until it is bound to ${machine.machineId}`,
    );
    expect(dryRun.stdout).toContain("- Clerk confirmed it: the value's key is the machine's current key");
    expect(dryRun.stdout).toContain(`runbook: ${RUNBOOK_URL}#machine_binding_invalid`);
    expect(dryRun.stdout).toContain(
      `1. tag the secret ${TagKey.machineId}=${machine.machineId}: bind it to its machine`,
    );
    expect(dryRun.stdout).toContain(
      `aws secretsmanager tag-resource --secret-id ${machine.secretArn} --tags Key=${TagKey.machineId},Value=${machine.machineId}`,
    );
    expect(tagsAfterDryRun).toEqual({});
    expect(Object.values(stagesAfterDryRun)).toEqual(['AWSCURRENT']);

    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      state: 'unbound',
      binding: { machineId: machine.machineId, proof: 'current-key' },
      applied: true,
      plan: [{ kind: 'tag', tags: { [TagKey.machineId]: machine.machineId } }],
    });
    expect(await tagsOf(fixture.stack, machine.secretName)).toEqual({ [TagKey.machineId]: machine.machineId });
    expect(verifyAfter.code, verifyAfter.stdout).toBe(0);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(milestones(rotated.stdout)).toContain('finished');
  });

  it('repair refuses a tag that names another machine than the value, and changes nothing', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'rebound' });
    const other = fixture.stack.clerk.createMachine({ name: 'rebound-other' });
    await fixture.stack.client.send(
      new TagResourceCommand({ SecretId: machine.secretName, Tags: [{ Key: TagKey.machineId, Value: other.id }] }),
    );

    // Act
    const run = await cli('repair', machine.secretName, '--apply');

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error [MACHINE_BINDING_INVALID]: ${machine.secretName} is bound by its ${TagKey.machineId} tag to ${other.id}, but AWSCURRENT's value names ${machine.machineId}; repair never changes a binding (the tag is the binding): nothing was changed`,
    );
    expect(run.stderr).toContain(`runbook: ${RUNBOOK_URL}#machine_binding_invalid`);
    expect(await tagsOf(fixture.stack, machine.secretName)).toEqual({ [TagKey.machineId]: other.id });
  });
});
