/**
 * The CLI's failure verdicts and fixes as real processes against the local stack: rotations stuck in AWSPENDING (with
 * and without a staged key, stale), repair dry run vs --apply, overlap expired, an invalid value and a stale
 * AWSCURRENT; each failure names the step error the rotation function recorded.
 */
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_URL, Stage } from '../../lib/constants.ts';
import type { LocalMachine } from '../../localstack/startLocalStack.ts';
import { FINISH_FAILS, milestones, runInProcess, stagesOf, useCliStack, versionWith } from './cliTestSupport.ts';

describe('CLI failure paths against the local stack', () => {
  const fixture = useCliStack();
  const { cli, local, log } = fixture;
  /** A rotation whose finishSecret fails on all three attempts, started in-process (RotateSecret is async). */
  async function stickWithStagedKey(machine: LocalMachine): Promise<string> {
    fixture.stack.secretsManager.faults.failNext('UpdateSecretVersionStage', FINISH_FAILS);
    await fixture.stack.rotate(machine.secretName);
    await fixture.stack.secretsManager.rotationsIdle();
    const pending = versionWith(fixture.stack, machine.secretName, Stage.pending);
    expect(pending).toBeDefined();
    expect(pending).not.toBe(versionWith(fixture.stack, machine.secretName, Stage.current));
    return pending as string;
  }

  it('rotate --wait fails where finishSecret stops, names the state, the reason, the function’s error and the runbook entry', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'stuck-staged' });
    await fixture.stack.secretsManager.rotationsIdle();
    const currentBefore = versionWith(fixture.stack, machine.secretName, Stage.current);
    fixture.stack.secretsManager.faults.failNext('UpdateSecretVersionStage', FINISH_FAILS);

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
    // The cause, as the rotation function recorded it in its log (CLERK_ROTATOR_FUNCTION_LOG).
    expect(run.stderr).toMatch(
      /the rotation function's error( \(the latest of \d+\))?: \(finishSecret, [\d:.TZ-]+\) \[SECRET_STORE_FAILED\] Secrets Manager UpdateSecretVersionStage failed: AccessDeniedException: not allowed \(injected\)/,
    );
    expect(run.stderr).toContain(`runbook: ${RUNBOOK_URL}#secret_store_failed`);
    expect(run.stderr).toContain(`runbook: ${RUNBOOK_URL}#rotation_stuck`);
    expect(run.stderr).toContain(`next: \`clerk-rotator repair ${machine.secretName}\` shows the safe fix (promote)`);
    expect(versionWith(fixture.stack, machine.secretName, Stage.current)).toBe(currentBefore);
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
      runbook: `${RUNBOOK_URL}#rotation_stuck`,
    });
    expect(document.verdict.detail).toContain('its key was staged but never promoted');
    expect(document.functionLog).toMatchObject({ source: 'file', problem: null });
    expect(document.functionLog.errors.at(-1)).toMatchObject({
      step: 'finishSecret',
      errorCode: 'SECRET_STORE_FAILED',
      runbook: `${RUNBOOK_URL}#secret_store_failed`,
    });
    expect(young.stdout).toContain("the rotation function's error");
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain(
      'a previous rotation of clerk/machines/stuck-staged is not complete: AWSPENDING is on version',
    );
  });

  it('repair is a dry run by default and promotes a sound pending key with --apply', async () => {
    // Prepare
    const secret = 'clerk/machines/stuck-staged';
    const before = stagesOf(fixture.stack, secret);
    const pending = versionWith(fixture.stack, secret, Stage.pending) as string;
    const current = versionWith(fixture.stack, secret, Stage.current) as string;

    // Act
    const young = await local('repair', secret);
    const dryRun = await cli('repair', secret, '--stuck-after', '0');
    const afterDryRun = stagesOf(fixture.stack, secret);
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
    expect(stagesOf(fixture.stack, secret)).toEqual({ [pending]: Stage.current, [current]: Stage.previous });
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('a rotation that never stored a value: status names PENDING_VALUE_MISSING, repair removes the label', async () => {
    // Prepare: Clerk refuses the createSecret read on all three attempts.
    const machine = await fixture.stack.addMachine({ name: 'stuck-empty' });
    await fixture.stack.secretsManager.rotationsIdle();
    fixture.stack.clerk.faults.failNext('getMachineSecretKey', { status: 403, times: 3 });
    await fixture.stack.rotate(machine.secretName);
    await fixture.stack.secretsManager.rotationsIdle();
    const pending = versionWith(fixture.stack, machine.secretName, Stage.pending) as string;

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
    expect(document.functionLog.errors.at(-1)).toMatchObject({ step: 'createSecret', errorCode: 'CLERK_FORBIDDEN' });

    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(
      /the rotation function's error.*\(createSecret, .*\) \[CLERK_FORBIDDEN\] Clerk GetMachineSecretKey/,
    );
    expect(applied.stdout).toContain('- the pending version has no value: createSecret never stored one');
    expect(applied.stdout).toContain("- Clerk's current key is still AWSCURRENT's: nothing changed at Clerk");
    expect(applied.stdout).toContain(`runbook: ${RUNBOOK_URL}#pending_value_missing`);
    expect(applied.stdout).toContain(`done: remove AWSPENDING from version ${pending}`);
    expect(applied.stdout).toContain(
      `Next: rotate again when ready: \`clerk-rotator rotate ${machine.secretName} --wait\``,
    );
    expect(versionWith(fixture.stack, machine.secretName, Stage.pending)).toBeUndefined();
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('verdict: healthy');
  });

  it('a staged key rotated away at Clerk is stale: repair removes the label and the next rotation adopts Clerk’s key', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'stuck-stale' });
    await fixture.stack.secretsManager.rotationsIdle();
    const pending = await stickWithStagedKey(machine);
    const dashboardKey = fixture.stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 3600 });

    // Act
    const dryRun = await cli('repair', machine.secretName, '--stuck-after', '0');
    const applied = await local('repair', machine.secretName, '--stuck-after', '0', '--apply');
    const rotated = await local('rotate', machine.secretName, '--wait', '--poll-interval', '0.2');

    // Assess
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(
      "reason [PENDING_KEY_STALE]: the pending key works but is no longer Clerk's current key",
    );
    expect(dryRun.stdout).toContain(`runbook: ${RUNBOOK_URL}#pending_key_stale`);
    expect(dryRun.stdout).toContain(`1. remove AWSPENDING from version ${pending}`);
    expect(dryRun.stdout).not.toContain('move AWSCURRENT');
    expect(dryRun.stdout).toContain('After --apply: run `clerk-rotator rotate clerk/machines/stuck-stale --wait` soon');
    expect(applied.code).toBe(0);
    expect(rotated.code, rotated.stderr).toBe(0);
    const value = await fixture.stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
    expect(JSON.parse(value.SecretString ?? '').secretKey).toBe(dashboardKey);
    expect(fixture.stack.clerk.currentKey(machine.machineId)).toBe(dashboardKey);
  });

  it('overlap expired: a past previousKeyExpiresAt inside the refresh window is unhealthy, outside it is not', async () => {
    // Prepare: a hand-written value whose previous key died 30 s after it was staged a minute ago.
    const machine = await fixture.stack.addMachine({ name: 'overlap' });
    await fixture.stack.secretsManager.rotationsIdle();
    const now = Date.now();
    await fixture.stack.client.send(
      new PutSecretValueCommand({
        SecretId: machine.secretName,
        SecretString: JSON.stringify({
          machineId: machine.machineId,
          secretKey: fixture.stack.clerk.currentKey(machine.machineId),
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
    expect(expired.stdout).toContain(`runbook: ${RUNBOOK_URL}#overlap_expired`);
    expect(JSON.parse(json.stdout).verdict).toMatchObject({ state: 'overlap-expired', code: 'OVERLAP_EXPIRED' });
    expect(outside.code).toBe(0);
    expect(outside.stdout).toContain('verdict: healthy');
  });

  it('an invalid AWSCURRENT is its own verdict; a key rotated outside the secret fails verify', async () => {
    // Prepare
    const invalid = await fixture.stack.addMachine({ name: 'invalid' });
    const outside = await fixture.stack.addMachine({ name: 'outside' });
    await fixture.stack.secretsManager.rotationsIdle();
    await fixture.stack.client.send(
      new PutSecretValueCommand({ SecretId: invalid.secretName, SecretString: 'not json' }),
    );
    fixture.stack.clerk.rotateViaDashboard(outside.machineId, { previousTokenTtlSeconds: 3600 });

    // Act
    const [status, verify] = await Promise.all([cli('status', invalid.secretName), cli('verify', outside.secretName)]);

    // Assess
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('verdict: invalid value');
    expect(status.stdout).toContain('SecretString is not JSON (8 characters)');
    expect(status.stdout).toContain(`runbook: ${RUNBOOK_URL}#secret_format_invalid`);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/ok {4}AWSCURRENT's key .* authenticates at Clerk/);
    expect(verify.stdout).toMatch(/FAIL {2}AWSCURRENT's key is not Clerk's current key/);
    expect(verify.stdout).toContain(`runbook: ${RUNBOOK_URL}#current_key_stale`);
    expect(verify.stdout).toContain('verification failed');
  });

  it('colours only on a terminal, and never with NO_COLOR or --no-color (in-process)', async () => {
    const base = { env: fixture.env };
    const tty = { stdin: false, stdout: true };

    const [coloured, noColorEnv, noColorFlag, piped] = await Promise.all([
      runInProcess(['status', 'clerk/machines/overlap'], { ...base, isTTY: tty }),
      runInProcess(['status', 'clerk/machines/overlap'], {
        ...base,
        isTTY: tty,
        env: { ...fixture.env, NO_COLOR: '1' },
      }),
      runInProcess(['status', 'clerk/machines/overlap', '--no-color'], { ...base, isTTY: tty }),
      runInProcess(['status', 'clerk/machines/overlap'], base),
    ]);
    for (const run of [coloured, noColorEnv, noColorFlag, piped]) log.record(run);

    expect(coloured.stdout).toContain('\u001b[');
    for (const run of [noColorEnv, noColorFlag, piped]) expect(run.stdout).not.toContain('\u001b[');
  });
});
