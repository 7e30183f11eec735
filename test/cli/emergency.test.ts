/**
 * `rotate --emergency` as real processes (and in-process where a terminal or Ctrl-C is needed) against the local
 * stack: the confirmation, the old key dead at once — claimed only once Clerk rejected it — and the tags restored on
 * success, failure and interruption.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_URL, TagKey } from '../../lib/constants.ts';
import { FINISH_FAILS, milestones, runInProcess, tagsOf, useCliStack } from './cliTestSupport.ts';

describe('CLI: rotate --emergency against the local stack', () => {
  const fixture = useCliStack();
  const { cli, local, log } = fixture;

  it('rotate --emergency refuses without a terminal or --yes, and changes nothing', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({
      name: 'emergency-refused',
      tags: { [TagKey.previousKeyTtlSeconds]: '3600' },
    });
    await fixture.stack.secretsManager.rotationsIdle();
    const rotationsBefore = fixture.stack.secretsManager.rotations().length;

    // Act
    const run = await cli('rotate', machine.secretName, '--emergency');

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('stdin is not a terminal: pass --yes to confirm without a prompt');
    expect(await tagsOf(fixture.stack, machine.secretName)).toEqual({
      [TagKey.machineId]: machine.machineId,
      [TagKey.previousKeyTtlSeconds]: '3600',
    });
    expect(fixture.stack.secretsManager.rotations()).toHaveLength(rotationsBefore);
  });

  it('rotate --emergency --yes right after a rotation kills the old key at once and restores the tags', async () => {
    // Prepare: a normal rotation first, so only the emergency's interval of 0 lets the second one through.
    const machine = await fixture.stack.addMachine({
      name: 'emergency',
      tags: { [TagKey.previousKeyTtlSeconds]: '3600' },
    });
    await fixture.stack.secretsManager.rotationsIdle();
    await fixture.stack.rotate(machine.secretName);
    await fixture.stack.secretsManager.rotationsIdle();
    expect(fixture.stack.secretsManager.rotations().at(-1)?.outcome).toBe('succeeded');
    const compromised = fixture.stack.clerk.currentKey(machine.machineId);

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
    // The claim rests on Clerk's answer about the key that was AWSCURRENT when the command began.
    expect(document.oldKey).toMatchObject({ state: 'rejected', checks: 1, errorCode: null });
    expect(Date.parse(document.oldKey.checkedAt)).toBeLessThanOrEqual(Date.now());
    expect(fixture.stack.clerk.isKeyValid(machine.machineId, compromised)).toBe(false);
    expect(await tagsOf(fixture.stack, machine.secretName)).toEqual({
      [TagKey.machineId]: machine.machineId,
      [TagKey.previousKeyTtlSeconds]: '3600',
    });
    // Right after a TTL-0 rotation apps may still hold the dead key: overlap expired.
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('verdict: overlap expired');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/its overlap ended at .* and Clerk rejects it, as expected/);
  });

  it('rotate --emergency after a dashboard rotation rotates again, and says the old key stopped only once Clerk rejects it', async () => {
    // Prepare: Clerk's dashboard rotated the machine; AWSCURRENT still holds the suspected key, which Clerk keeps
    // accepting for 8 hours. Adopting the dashboard key would leave it alive.
    const machine = await fixture.stack.addMachine({
      name: 'emergency-after-dashboard',
      tags: { [TagKey.previousKeyTtlSeconds]: '3600' },
    });
    await fixture.stack.secretsManager.rotationsIdle();
    const suspected = fixture.stack.clerk.currentKey(machine.machineId);
    const dashboardKey = fixture.stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 28_800 });
    expect(fixture.stack.clerk.isKeyValid(machine.machineId, suspected)).toBe(true);
    const started = Date.now();

    // Act
    const run = await cli('rotate', machine.secretName, '--emergency', '--yes', '--poll-interval', '0.2');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(milestones(run.stdout)).toEqual(['pending', 'staged', 'promoted', 'finished']);
    const claim = /The previous key stopped working at Clerk: Clerk rejected it at (\S+Z)\./.exec(run.stdout);
    expect(claim, run.stdout).not.toBeNull();
    const checkedAt = Date.parse(claim?.[1] ?? '');
    expect(checkedAt).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(checkedAt).toBeLessThanOrEqual(Date.now());
    // The claim is true: neither the suspected key nor the dashboard's key works, and Clerk was rotated once more.
    expect(fixture.stack.clerk.isKeyValid(machine.machineId, suspected)).toBe(false);
    expect(fixture.stack.clerk.isKeyValid(machine.machineId, dashboardKey)).toBe(false);
    expect(fixture.stack.clerk.rotationsFor(machine.machineId)).toHaveLength(1);
    const value = await fixture.stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
    expect(JSON.parse(value.SecretString ?? '').secretKey).toBe(fixture.stack.clerk.currentKey(machine.machineId));
  });

  it('rotate --emergency exits 1 with OLD_KEY_STILL_ACCEPTED, and no claim, while Clerk still accepts the old key', async () => {
    // Prepare: Clerk's token listing answers 200 for every key (a revocation that has not reached it).
    const machine = await fixture.stack.addMachine({ name: 'emergency-still-accepted' });
    await fixture.stack.secretsManager.rotationsIdle();
    const accepting = fixture.stack.clerk.faults.respondWith('listM2MTokens', {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ m2m_tokens: [], total_count: 0 }),
      times: Number.POSITIVE_INFINITY,
    });

    // Act
    const run = await cli('rotate', machine.secretName, '--emergency', '--yes', '--poll-interval', '0.2');
    accepting.remove();

    // Assess: the rotation itself went through, but nothing says the old key stopped working.
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Rotated in [\d.]+ s: AWSCURRENT is version/);
    expect(`${run.stdout}${run.stderr}`).not.toContain('stopped working');
    expect(run.stderr).toMatch(
      new RegExp(
        `error \\[OLD_KEY_STILL_ACCEPTED\\]: the emergency rotation of ${machine.secretName} moved AWSCURRENT, but Clerk still accepts the previous key \\(asked 3 times over 5 s, the last at [\\d:TZ-]+\\)`,
      ),
    );
    expect(run.stderr).toContain(`runbook: ${RUNBOOK_URL}#old_key_still_accepted`);
    expect(run.stderr).toContain("next: treat the old key as live: revoke it in Clerk's dashboard");
    expect(accepting.triggered).toBeGreaterThanOrEqual(3);
    expect(await tagsOf(fixture.stack, machine.secretName)).toEqual({ [TagKey.machineId]: machine.machineId });
  });

  it('rotate --emergency restores the tags when the rotation fails, and repair recovers', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({
      name: 'emergency-fails',
      tags: { [TagKey.previousKeyTtlSeconds]: '600', [TagKey.minRotationIntervalSeconds]: '60' },
    });
    await fixture.stack.secretsManager.rotationsIdle();
    const compromised = fixture.stack.clerk.currentKey(machine.machineId);
    fixture.stack.secretsManager.faults.failNext('UpdateSecretVersionStage', FINISH_FAILS);

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
    const tags = await tagsOf(fixture.stack, machine.secretName);
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
    expect(fixture.stack.clerk.isKeyValid(machine.machineId, compromised)).toBe(false);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('done: move AWSCURRENT');
    const value = await fixture.stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
    expect(JSON.parse(value.SecretString ?? '').secretKey).toBe(fixture.stack.clerk.currentKey(machine.machineId));
  });

  it('rotate --emergency asks on a terminal and goes ahead only when the secret name is typed (in-process)', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'emergency-prompt' });
    await fixture.stack.secretsManager.rotationsIdle();
    const keyBefore = fixture.stack.clerk.currentKey(machine.machineId);
    const options = { env: fixture.env, isTTY: { stdin: true, stdout: false } };

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
    expect(fixture.stack.clerk.isKeyValid(machine.machineId, keyBefore)).toBe(false);
    expect(await tagsOf(fixture.stack, machine.secretName)).toEqual({ [TagKey.machineId]: machine.machineId });
  });

  it('rotate --emergency interrupted (Ctrl-C) exits 130 and still restores the tags (in-process)', async () => {
    // Prepare: Clerk answers the rotate slowly, so the wait is still running when the operator interrupts.
    const machine = await fixture.stack.addMachine({
      name: 'emergency-interrupted',
      tags: { [TagKey.minRotationIntervalSeconds]: '120' },
    });
    await fixture.stack.secretsManager.rotationsIdle();
    const latency = fixture.stack.clerk.faults.addLatency('rotateMachineSecretKey', 1_500, { times: 1 });
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 500);

    // Act
    const run = await runInProcess(['rotate', machine.secretName, '--emergency', '--yes', '--poll-interval', '0.1'], {
      env: fixture.env,
      signal: interrupt.signal,
    });
    log.record(run);
    const tags = await tagsOf(fixture.stack, machine.secretName);
    await fixture.stack.secretsManager.rotationsIdle();
    latency.remove();

    // Assess
    expect(run.code).toBe(130);
    expect(run.stdout).toContain('Restored the tags');
    expect(run.stderr).toContain('error: interrupted');
    expect(run.stderr).toContain('a rotation already started keeps running in Secrets Manager');
    expect(tags).toEqual({ [TagKey.machineId]: machine.machineId, [TagKey.minRotationIntervalSeconds]: '120' });
  });
});
