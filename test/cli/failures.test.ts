/**
 * The CLI's failure verdicts and fixes as real processes against the local stack: rotations stuck in AWSPENDING (with
 * and without a staged key, stale), repair dry run vs --apply, overlap expired, an invalid value, a stale AWSCURRENT,
 * and the emergency rotation with its tags restored on success and on failure.
 */
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stage, TagKey } from '../../lib/constants.ts';
import type { LocalMachine, LocalStack } from '../../localstack/startLocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import { milestones, OutputLog, runInProcess, spawnCli, storedKeys } from './cliTestSupport.ts';

/** Fails finishSecret on every attempt: the key is staged and valid, AWSCURRENT never moves. */
const FINISH_FAILS = { code: 'AccessDeniedException', status: 400, message: 'not allowed (injected)', times: 3 };

describe('CLI failure paths against the local stack', () => {
  let stack: LocalStack;
  let env: Record<string, string>;
  const log = new OutputLog();
  /** A spawned CLI process: the path under test. */
  const cli = async (...args: string[]) => log.record(await spawnCli(args, env));
  /** The same CLI in-process (runCli): for set-up and follow-up checks, which need no process of their own. */
  const local = async (...args: string[]) => log.record(await runInProcess(args, { env }));

  const stagesOf = (secretName: string) =>
    Object.fromEntries(
      (stack.secretsManager.inspectSecret(secretName)?.versions ?? [])
        .filter((version) => version.stages.length > 0)
        .map((version) => [version.versionId, version.stages.join(',')]),
    );
  const versionWith = (secretName: string, stage: string) =>
    stack.secretsManager.inspectSecret(secretName)?.versions.find((version) => version.stages.includes(stage))
      ?.versionId;
  const tagsOf = async (secretName: string) =>
    Object.fromEntries(
      ((await stack.client.send(new DescribeSecretCommand({ SecretId: secretName }))).Tags ?? []).map((tag) => [
        tag.Key,
        tag.Value,
      ]),
    );
  /** A rotation whose finishSecret fails on all three attempts, started in-process (RotateSecret is async). */
  async function stickWithStagedKey(machine: LocalMachine): Promise<string> {
    stack.secretsManager.faults.failNext('UpdateSecretVersionStage', FINISH_FAILS);
    await stack.rotate(machine.secretName);
    await stack.secretsManager.rotationsIdle();
    const pending = versionWith(machine.secretName, Stage.pending);
    expect(pending).toBeDefined();
    expect(pending).not.toBe(versionWith(machine.secretName, Stage.current));
    return pending as string;
  }

  beforeAll(async () => {
    stack = await startLocalStack({ clock: 'system', rotation: 'async' });
    env = stack.environment();
  });

  afterAll(async () => {
    if (stack === undefined) return;
    log.expectNoKeys(await storedKeys(stack));
    await stack.close();
  });

  it('rotate --wait fails where finishSecret stops, names the state, the reason and the runbook entry', async () => {
    // Prepare
    const machine = await stack.addMachine({ name: 'stuck-staged' });
    await stack.secretsManager.rotationsIdle();
    const currentBefore = versionWith(machine.secretName, Stage.current);
    stack.secretsManager.faults.failNext('UpdateSecretVersionStage', FINISH_FAILS);

    // Act
    const run = await cli('rotate', machine.secretName, '--wait', '--timeout', '3', '--poll-interval', '0.2');

    // Assess
    expect(run.code).toBe(1);
    expect(milestones(run.stdout)).toEqual(['pending', 'staged']);
    expect(run.stderr).toContain(
      `error [ROTATION_STUCK]: rotation of ${machine.secretName} did not complete: AWSCURRENT did not move within 3 s`,
    );
    expect(run.stderr).toMatch(
      /stuck in testSecret\/finishSecret: the new key is staged on version [0-9a-f-]{36} but AWSCURRENT did not move/,
    );
    expect(run.stderr).toContain("- the pending key is Clerk's current key");
    expect(run.stderr).toContain('runbook: docs/runbook.md#rotation_stuck');
    expect(run.stderr).toContain(`next: \`clerk-rotator repair ${machine.secretName}\` shows the safe fix (promote)`);
    expect(versionWith(machine.secretName, Stage.current)).toBe(currentBefore);
  });

  it('status calls it rotation in progress, then stuck AWSPENDING past --stuck-after; rotate refuses to start', async () => {
    // Act
    const stuck = await cli('status', 'clerk/machines/stuck-staged', '--stuck-after', '0', '--json');
    const young = await local('status', 'clerk/machines/stuck-staged');
    const rotate = await local('rotate', 'clerk/machines/stuck-staged', '--wait');

    // Assess
    expect(young.code).toBe(0);
    expect(young.stdout).toContain('verdict: rotation in progress');
    expect(young.stdout).toContain('the new key is staged on it');
    expect(stuck.code).toBe(1);
    const document = JSON.parse(stuck.stdout);
    expect(document.pending).toMatchObject({ hasValue: true });
    expect(document.verdict).toMatchObject({
      state: 'stuck-pending',
      healthy: false,
      code: 'ROTATION_STUCK',
      runbook: 'docs/runbook.md#rotation_stuck',
    });
    expect(document.verdict.detail).toContain('its key was staged but never promoted');
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain(
      'a previous rotation of clerk/machines/stuck-staged is not complete: AWSPENDING is on version',
    );
  });

  it('repair is a dry run by default and promotes a sound pending key with --apply', async () => {
    // Prepare
    const secret = 'clerk/machines/stuck-staged';
    const before = stagesOf(secret);
    const pending = versionWith(secret, Stage.pending) as string;
    const current = versionWith(secret, Stage.current) as string;

    // Act
    const young = await local('repair', secret);
    const dryRun = await cli('repair', secret, '--stuck-after', '0');
    const afterDryRun = stagesOf(secret);
    const applied = await cli('repair', secret, '--stuck-after', '0', '--apply', '--json');
    const verify = await local('verify', secret);

    // Assess
    expect(young.code).toBe(1);
    expect(young.stderr).toContain('looks in progress');
    expect(young.stderr).toContain('--stuck-after 0');

    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(`AWSPENDING on version ${pending}, not AWSCURRENT (${current})`);
    expect(dryRun.stdout).toContain('reason [ROTATION_STUCK]');
    expect(dryRun.stdout).toContain('Plan (dry run: nothing is changed; add --apply to do it):');
    expect(dryRun.stdout).toContain(`1. move AWSCURRENT from version ${current} to ${pending} (AWSPREVIOUS follows)`);
    expect(dryRun.stdout).toContain(`2. remove AWSPENDING from version ${pending}`);
    expect(dryRun.stdout).toContain(
      `--version-stage AWSCURRENT --move-to-version-id ${pending} --remove-from-version-id ${current}`,
    );
    expect(afterDryRun).toEqual(before);

    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      ok: true,
      state: 'stuck-pending',
      applied: true,
      diagnosis: { action: 'promote', keyAccepted: true, isClerkCurrent: true, code: 'ROTATION_STUCK' },
    });
    expect(stagesOf(secret)).toEqual({ [pending]: Stage.current, [current]: Stage.previous });
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('a rotation that never stored a value: status names PENDING_VALUE_MISSING, repair removes the label', async () => {
    // Prepare: Clerk refuses the createSecret read on all three attempts.
    const machine = await stack.addMachine({ name: 'stuck-empty' });
    await stack.secretsManager.rotationsIdle();
    stack.clerk.faults.failNext('getMachineSecretKey', { status: 403, times: 3 });
    await stack.rotate(machine.secretName);
    await stack.secretsManager.rotationsIdle();
    const pending = versionWith(machine.secretName, Stage.pending) as string;

    // Act
    const status = await cli('--json', 'status', machine.secretName, '--stuck-after', '0');
    const applied = await cli('repair', machine.secretName, '--stuck-after', '0', '--apply');
    const after = await local('status', machine.secretName);

    // Assess
    expect(status.code).toBe(1);
    const document = JSON.parse(status.stdout);
    expect(document.pending).toEqual({ versionId: pending, createdAt: expect.any(String), hasValue: false });
    expect(document.verdict).toMatchObject({ state: 'stuck-pending', code: 'PENDING_VALUE_MISSING' });
    expect(document.verdict.detail).toContain('createSecret never stored a value on it');

    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('- the pending version has no value: createSecret never stored one');
    expect(applied.stdout).toContain("- Clerk's current key is still AWSCURRENT's: nothing changed at Clerk");
    expect(applied.stdout).toContain('runbook: docs/runbook.md#pending_value_missing');
    expect(applied.stdout).toContain(`done: remove AWSPENDING from version ${pending}`);
    expect(applied.stdout).toContain(
      `Next: rotate again when ready: \`clerk-rotator rotate ${machine.secretName} --wait\``,
    );
    expect(versionWith(machine.secretName, Stage.pending)).toBeUndefined();
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('verdict: healthy');
  });

  it('a staged key rotated away at Clerk is stale: repair removes the label and the next rotation adopts Clerk’s key', async () => {
    // Prepare
    const machine = await stack.addMachine({ name: 'stuck-stale' });
    await stack.secretsManager.rotationsIdle();
    const pending = await stickWithStagedKey(machine);
    const dashboardKey = stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 3600 });

    // Act
    const dryRun = await cli('repair', machine.secretName, '--stuck-after', '0');
    const applied = await local('repair', machine.secretName, '--stuck-after', '0', '--apply');
    const rotated = await local('rotate', machine.secretName, '--wait', '--poll-interval', '0.2');

    // Assess
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(
      "reason [PENDING_KEY_STALE]: the pending key works but is no longer Clerk's current key",
    );
    expect(dryRun.stdout).toContain('runbook: docs/runbook.md#pending_key_stale');
    expect(dryRun.stdout).toContain(`1. remove AWSPENDING from version ${pending}`);
    expect(dryRun.stdout).not.toContain('move AWSCURRENT');
    expect(dryRun.stdout).toContain('After --apply: run `clerk-rotator rotate clerk/machines/stuck-stale --wait` soon');
    expect(applied.code).toBe(0);
    expect(rotated.code, rotated.stderr).toBe(0);
    const value = await stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
    expect(JSON.parse(value.SecretString ?? '').secretKey).toBe(dashboardKey);
    expect(stack.clerk.currentKey(machine.machineId)).toBe(dashboardKey);
  });

  it('overlap expired: a past previousKeyExpiresAt inside the refresh window is unhealthy, outside it is not', async () => {
    // Prepare: a hand-written value whose previous key died 30 s after it was staged a minute ago.
    const machine = await stack.addMachine({ name: 'overlap' });
    await stack.secretsManager.rotationsIdle();
    const now = Date.now();
    await stack.client.send(
      new PutSecretValueCommand({
        SecretId: machine.secretName,
        SecretString: JSON.stringify({
          machineId: machine.machineId,
          secretKey: stack.clerk.currentKey(machine.machineId),
          rotatedAt: new Date(now - 60_000).toISOString(),
          previousKeyExpiresAt: new Date(now - 30_000).toISOString(),
        }),
      }),
    );

    // Act
    const expired = await cli('status', machine.secretName);
    const json = await local('status', machine.secretName, '--json');
    const outside = await local('status', machine.secretName, '--refresh-window', '45');

    // Assess
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain('verdict: overlap expired');
    expect(expired.stdout).toMatch(
      /the previous key stopped working at Clerk at .* \(\d+ s ago\), 30 s after AWSCURRENT was staged/,
    );
    expect(expired.stdout).toContain('runbook: docs/runbook.md#overlap_expired');
    expect(JSON.parse(json.stdout).verdict).toMatchObject({ state: 'overlap-expired', code: 'OVERLAP_EXPIRED' });
    expect(outside.code).toBe(0);
    expect(outside.stdout).toContain('verdict: healthy');
  });

  it('an invalid AWSCURRENT is its own verdict; a key rotated outside the secret fails verify', async () => {
    // Prepare
    const invalid = await stack.addMachine({ name: 'invalid' });
    const outside = await stack.addMachine({ name: 'outside' });
    await stack.secretsManager.rotationsIdle();
    await stack.client.send(new PutSecretValueCommand({ SecretId: invalid.secretName, SecretString: 'not json' }));
    stack.clerk.rotateViaDashboard(outside.machineId, { previousTokenTtlSeconds: 3600 });

    // Act
    const [status, verify] = await Promise.all([cli('status', invalid.secretName), cli('verify', outside.secretName)]);

    // Assess
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('verdict: invalid value');
    expect(status.stdout).toContain('SecretString is not JSON (8 characters)');
    expect(status.stdout).toContain('runbook: docs/runbook.md#secret_format_invalid');
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/ok {4}AWSCURRENT's key .* authenticates at Clerk/);
    expect(verify.stdout).toMatch(/FAIL {2}AWSCURRENT's key is not Clerk's current key/);
    expect(verify.stdout).toContain('runbook: docs/runbook.md#current_key_stale');
    expect(verify.stdout).toContain('verification failed');
  });

  it('rotate --emergency refuses without a terminal or --yes, and changes nothing', async () => {
    // Prepare
    const machine = await stack.addMachine({
      name: 'emergency-refused',
      tags: { [TagKey.previousKeyTtlSeconds]: '3600' },
    });
    await stack.secretsManager.rotationsIdle();
    const rotationsBefore = stack.secretsManager.rotations().length;

    // Act
    const run = await cli('rotate', machine.secretName, '--emergency');

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('stdin is not a terminal: pass --yes to confirm without a prompt');
    expect(await tagsOf(machine.secretName)).toEqual({
      [TagKey.machineId]: machine.machineId,
      [TagKey.previousKeyTtlSeconds]: '3600',
    });
    expect(stack.secretsManager.rotations()).toHaveLength(rotationsBefore);
  });

  it('rotate --emergency --yes right after a rotation kills the old key at once and restores the tags', async () => {
    // Prepare: a normal rotation first, so only the emergency's interval of 0 lets the second one through.
    const machine = await stack.addMachine({ name: 'emergency', tags: { [TagKey.previousKeyTtlSeconds]: '3600' } });
    await stack.secretsManager.rotationsIdle();
    await stack.rotate(machine.secretName);
    await stack.secretsManager.rotationsIdle();
    expect(stack.secretsManager.rotations().at(-1)?.outcome).toBe('succeeded');
    const compromised = stack.clerk.currentKey(machine.machineId);

    // Act
    const run = await cli('--json', 'rotate', machine.secretName, '--emergency', '--yes', '--poll-interval', '0.2');
    const status = await cli('status', machine.secretName);
    const verify = await local('verify', machine.secretName);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({
      ok: true,
      outcome: 'promoted',
      emergency: true,
      emergencyTags: {
        set: { [TagKey.previousKeyTtlSeconds]: '0', [TagKey.minRotationIntervalSeconds]: '0' },
        restored: { [TagKey.previousKeyTtlSeconds]: '3600' },
        removed: [TagKey.minRotationIntervalSeconds],
        restoredOk: true,
      },
    });
    expect(Date.parse(document.previousKeyExpiresAt)).toBeLessThanOrEqual(Date.now());
    expect(stack.clerk.isKeyValid(machine.machineId, compromised)).toBe(false);
    expect(await tagsOf(machine.secretName)).toEqual({
      [TagKey.machineId]: machine.machineId,
      [TagKey.previousKeyTtlSeconds]: '3600',
    });
    // Right after a TTL-0 rotation apps may still hold the dead key: overlap expired.
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('verdict: overlap expired');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/its overlap ended at .* and Clerk rejects it, as expected/);
  });

  it('rotate --emergency restores the tags when the rotation fails, and repair recovers', async () => {
    // Prepare
    const machine = await stack.addMachine({
      name: 'emergency-fails',
      tags: { [TagKey.previousKeyTtlSeconds]: '600', [TagKey.minRotationIntervalSeconds]: '60' },
    });
    await stack.secretsManager.rotationsIdle();
    const compromised = stack.clerk.currentKey(machine.machineId);
    stack.secretsManager.faults.failNext('UpdateSecretVersionStage', FINISH_FAILS);

    // Act
    const run = await cli(
      'rotate',
      machine.secretName,
      '--emergency',
      '--yes',
      '--timeout',
      '3',
      '--poll-interval',
      '0.2',
    );
    const tags = await tagsOf(machine.secretName);
    const repaired = await local('repair', machine.secretName, '--stuck-after', '0', '--apply');

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `Emergency: set ${TagKey.previousKeyTtlSeconds}=0, ${TagKey.minRotationIntervalSeconds}=0 (before: ${TagKey.previousKeyTtlSeconds}=600, ${TagKey.minRotationIntervalSeconds}=60)`,
    );
    expect(run.stdout).toContain('Restored the tags');
    expect(run.stderr).toContain('error [ROTATION_STUCK]');
    expect(tags).toEqual({
      [TagKey.machineId]: machine.machineId,
      [TagKey.previousKeyTtlSeconds]: '600',
      [TagKey.minRotationIntervalSeconds]: '60',
    });
    // The old key is already dead at Clerk: AWSCURRENT holds a useless key until repair promotes the new one.
    expect(stack.clerk.isKeyValid(machine.machineId, compromised)).toBe(false);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('done: move AWSCURRENT');
    const value = await stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
    expect(JSON.parse(value.SecretString ?? '').secretKey).toBe(stack.clerk.currentKey(machine.machineId));
  });

  it('rotate --emergency asks on a terminal and goes ahead only when the secret name is typed (in-process)', async () => {
    // Prepare
    const machine = await stack.addMachine({ name: 'emergency-prompt' });
    await stack.secretsManager.rotationsIdle();
    const keyBefore = stack.clerk.currentKey(machine.machineId);
    const options = { env, isTTY: { stdin: true, stdout: false } };

    // Act
    const wrong = await runInProcess(['rotate', machine.secretName, '--emergency'], { ...options, stdinText: 'yes\n' });
    const right = await runInProcess(['rotate', machine.secretName, '--emergency', '--poll-interval', '0.2'], {
      ...options,
      stdinText: `${machine.secretName}\n`,
    });
    log.record(wrong);
    log.record(right);

    // Assess
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('EMERGENCY rotation of clerk/machines/emergency-prompt');
    expect(wrong.stderr).toContain('Type the secret name (clerk/machines/emergency-prompt) to confirm:');
    expect(wrong.stderr).toContain(
      'not confirmed: expected the secret name clerk/machines/emergency-prompt, got "yes"; nothing was changed',
    );
    expect(right.code, right.stderr).toBe(0);
    expect(milestones(right.stdout)).toContain('finished');
    expect(stack.clerk.isKeyValid(machine.machineId, keyBefore)).toBe(false);
    expect(await tagsOf(machine.secretName)).toEqual({ [TagKey.machineId]: machine.machineId });
  });

  it('rotate --emergency interrupted (Ctrl-C) exits 130 and still restores the tags (in-process)', async () => {
    // Prepare: Clerk answers the rotate slowly, so the wait is still running when the operator interrupts.
    const machine = await stack.addMachine({
      name: 'emergency-interrupted',
      tags: { [TagKey.minRotationIntervalSeconds]: '120' },
    });
    await stack.secretsManager.rotationsIdle();
    const latency = stack.clerk.faults.addLatency('rotateMachineSecretKey', 1_500, { times: 1 });
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 500);

    // Act
    const run = await runInProcess(['rotate', machine.secretName, '--emergency', '--yes', '--poll-interval', '0.1'], {
      env,
      signal: interrupt.signal,
    });
    log.record(run);
    const tags = await tagsOf(machine.secretName);
    await stack.secretsManager.rotationsIdle();
    latency.remove();

    // Assess
    expect(run.code).toBe(130);
    expect(run.stdout).toContain('Restored the tags');
    expect(run.stderr).toContain('error: interrupted');
    expect(run.stderr).toContain('a rotation already started keeps running in Secrets Manager');
    expect(tags).toEqual({ [TagKey.machineId]: machine.machineId, [TagKey.minRotationIntervalSeconds]: '120' });
  });

  it('colours only on a terminal, and never with NO_COLOR or --no-color (in-process)', async () => {
    const base = { env };
    const tty = { stdin: false, stdout: true };

    const [coloured, noColorEnv, noColorFlag, piped] = await Promise.all([
      runInProcess(['status', 'clerk/machines/overlap'], { ...base, isTTY: tty }),
      runInProcess(['status', 'clerk/machines/overlap'], { ...base, isTTY: tty, env: { ...env, NO_COLOR: '1' } }),
      runInProcess(['status', 'clerk/machines/overlap', '--no-color'], { ...base, isTTY: tty }),
      runInProcess(['status', 'clerk/machines/overlap'], base),
    ]);
    for (const run of [coloured, noColorEnv, noColorFlag, piped]) log.record(run);

    expect(coloured.stdout).toContain('\u001b[');
    for (const run of [noColorEnv, noColorFlag, piped]) expect(run.stdout).not.toContain('\u001b[');
  });
});
