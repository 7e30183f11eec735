/**
 * The CLI's success paths as real processes against the local stack (both emulators and the real rotation handler,
 * RotateSecret asynchronous as in AWS, the system clock): init, status, rotate --wait, verify, each in text and JSON,
 * and no key in any output except `init --show-key`.
 */
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_URL, Stage, TagKey } from '../../lib/constants.ts';
import { milestones, spawnCli, useCliStack } from './cliTestSupport.ts';

describe('CLI commands against the local stack', () => {
  // No key value in any output, except where --show-key asked for it: checked after the file's tests.
  const fixture = useCliStack();
  const { cli, local, log } = fixture;

  it('init creates the secret from Clerk’s current key, tags it and enables rotation without rotating', async () => {
    // Prepare
    const machine = fixture.stack.clerk.createMachine({ name: 'billing' });

    // Act
    const run = await cli(
      'init',
      machine.id,
      '--name',
      'prod/clerk/machines/billing',
      '--previous-key-ttl',
      '3600',
      '--rotation-function',
      fixture.stack.functionArn,
      '--schedule',
      '30',
    );
    await fixture.stack.secretsManager.rotationsIdle();

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Created secret prod/clerk/machines/billing for machine ${machine.id}`);
    expect(run.stdout).toContain('not shown (pass --show-key to print it)');
    const described = await fixture.stack.client.send(
      new DescribeSecretCommand({ SecretId: 'prod/clerk/machines/billing' }),
    );
    expect(described.RotationEnabled).toBe(true);
    expect(described.RotationLambdaARN).toBe(fixture.stack.functionArn);
    expect(described.RotationRules?.AutomaticallyAfterDays).toBe(30);
    expect(Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      [TagKey.machineId]: machine.id,
      [TagKey.previousKeyTtlSeconds]: '3600',
    });
    const value = await fixture.stack.client.send(
      new GetSecretValueCommand({ SecretId: 'prod/clerk/machines/billing' }),
    );
    expect(JSON.parse(value.SecretString ?? '')).toEqual({
      machineId: machine.id,
      secretKey: fixture.stack.clerk.currentKey(machine.id),
    });
    // RotateImmediately=false: testSecret ran once, nothing was rotated at Clerk.
    expect(fixture.stack.secretsManager.rotations().at(-1)).toMatchObject({ mode: 'test', outcome: 'succeeded' });
    expect(fixture.stack.clerk.rotationsFor(machine.id)).toHaveLength(0);
  });

  it('init --adopt writes into an existing secret and keeps its other fields; --show-key --json prints the key', async () => {
    // Prepare
    const machine = fixture.stack.clerk.createMachine({ name: 'reports' });
    await fixture.stack.client.send(
      new CreateSecretCommand({
        Name: 'prod/clerk/machines/reports',
        SecretString: JSON.stringify({ owner: 'team-reports' }),
      }),
    );

    // Act
    const run = await cli(
      '--json',
      'init',
      machine.id,
      '--adopt',
      'prod/clerk/machines/reports',
      '--instance-key-secret',
      fixture.stack.instanceKeySecretName,
      '--show-key',
    );

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      ok: true,
      action: 'adopted',
      machineId: machine.id,
      valueWritten: true,
      secretKey: fixture.stack.clerk.currentKey(machine.id),
      tags: { [TagKey.machineId]: machine.id, [TagKey.instanceKeySecretId]: fixture.stack.instanceKeySecretName },
      rotation: null,
    });
    const value = await fixture.stack.client.send(
      new GetSecretValueCommand({ SecretId: 'prod/clerk/machines/reports' }),
    );
    expect(JSON.parse(value.SecretString ?? '')).toEqual({
      owner: 'team-reports',
      machineId: machine.id,
      secretKey: fixture.stack.clerk.currentKey(machine.id),
    });
  });

  it('init --adopt of a secret that already rotates reports its rotation as status does, and leaves it alone', async () => {
    // Prepare: a secret with rotation on (every 30 days) that already holds Clerk's current key.
    const machine = await fixture.stack.addMachine({ name: 'adopted-rotating' });

    // Act
    const text = await cli('init', machine.machineId, '--adopt', machine.secretName);
    const json = await cli('--json', 'init', machine.machineId, '--adopt', machine.secretName);
    const status = await local('status', machine.secretName);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("value     unchanged: it already holds Clerk's current key");
    expect(text.stdout).toContain(
      `rotation  enabled, every 30 days, with ${fixture.stack.functionArn} (as it was; init did not change it)`,
    );
    expect(status.stdout).toMatch(/^ {2}rotation {7}enabled, every 30 days$/m);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      action: 'adopted',
      valueWritten: false,
      rotation: {
        enabled: true,
        functionArn: fixture.stack.functionArn,
        rules: { automaticallyAfterDays: 30 },
        configuredNow: false,
      },
    });
  });

  it('status shows a fresh secret as healthy, in text and JSON', async () => {
    // Act
    const [text, json] = await Promise.all([
      cli('status', 'prod/clerk/machines/billing'),
      cli('status', 'prod/clerk/machines/billing', '--json'),
    ]);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}rotation {7}enabled, every 30 days$/m);
    expect(text.stdout).toContain(`function       ${fixture.stack.functionArn}`);
    expect(text.stdout).toMatch(/last rotated {3}never/);
    expect(text.stdout).toMatch(/next rotation {2}\d{4}-\d\d-\d\dT[\d:]+Z \(in 29 d 23 h\)/);
    expect(text.stdout).toContain('verdict: healthy');
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({
      secret: { name: 'prod/clerk/machines/billing' },
      rotation: {
        enabled: true,
        functionArn: fixture.stack.functionArn,
        rules: { automaticallyAfterDays: 30 },
        lastRotatedAt: null,
      },
      current: { valid: true, rotatedAt: null, previousKeyExpiresAt: null },
      pending: null,
      verdict: { state: 'healthy', healthy: true, code: null },
    });
    expect(status.versions).toHaveLength(1);
    expect(status.versions[0].stages).toEqual([Stage.current]);
  });

  it('rotate --wait follows every step until AWSCURRENT moves, then status and verify agree', async () => {
    // Prepare: a slower Clerk rotate makes the first steps visible to the poller.
    const machineId = (
      await fixture.stack.client.send(new DescribeSecretCommand({ SecretId: 'prod/clerk/machines/billing' }))
    ).Tags?.find((tag) => tag.Key === TagKey.machineId)?.Value as string;
    const keyBefore = fixture.stack.clerk.currentKey(machineId);
    const latency = fixture.stack.clerk.faults.addLatency('rotateMachineSecretKey', 1_200, { times: 1 });

    // Act
    const rotated = await cli('rotate', 'prod/clerk/machines/billing', '--wait', '--poll-interval', '0.2');
    latency.remove();
    const [status, verify] = await Promise.all([
      cli('status', 'prod/clerk/machines/billing', '--json'),
      cli('verify', 'prod/clerk/machines/billing'),
    ]);

    // Assess
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(milestones(rotated.stdout)).toEqual(['pending', 'staged', 'promoted', 'finished']);
    expect(rotated.stdout).toMatch(/Rotated in [\d.]+ s: AWSCURRENT is version [0-9a-f-]{36}\./);
    expect(rotated.stdout).toMatch(/The previous key keeps working at Clerk until .* \(in 59 min( \d+ s)?\)\./);
    expect(fixture.stack.clerk.currentKey(machineId)).not.toBe(keyBefore);
    expect(fixture.stack.clerk.isKeyValid(machineId, keyBefore)).toBe(true);

    expect(status.code).toBe(0);
    const document = JSON.parse(status.stdout);
    expect(document.verdict.state).toBe('healthy');
    expect(document.rotation.lastRotatedAt).not.toBeNull();
    expect(Date.parse(document.current.previousKeyExpiresAt)).toBeGreaterThan(Date.now() + 3_000_000);
    expect(document.versions.map((v: { stages: string[] }) => v.stages.join())).toEqual(
      expect.arrayContaining([Stage.current, Stage.previous]),
    );

    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/ok {4}AWSCURRENT's key \(version .*\) authenticates at Clerk/);
    expect(verify.stdout).toMatch(/ok {4}AWSCURRENT's key is Clerk's current key/);
    expect(verify.stdout).toMatch(/ok {4}AWSPREVIOUS's key .* is inside its overlap until .* and Clerk accepts it/);
    expect(verify.stdout).toContain('verified');
  });

  it('rotate without --wait starts the rotation and returns; --json reports the version', async () => {
    // Act
    const run = await local('--json', 'rotate', 'prod/clerk/machines/reports');

    // Assess
    // reports has no rotation function: the CLI says how to enable it.
    expect(run.code).toBe(1);
    const failed = JSON.parse(run.stdout);
    expect(failed.error.code).toBe('ROTATION_NOT_ENABLED');
    expect(failed.error.runbook).toBe(`${RUNBOOK_URL}#rotation_not_enabled`);
    expect(run.stderr).toContain('init <machineId> --adopt prod/clerk/machines/reports --rotation-function <arn>');

    const machine = await fixture.stack.addMachine({ name: 'async' });
    const started = await cli('--json', 'rotate', machine.secretName);
    await fixture.stack.secretsManager.rotationsIdle();
    expect(started.code, started.stderr).toBe(0);
    const document = JSON.parse(started.stdout);
    expect(document).toMatchObject({
      ok: true,
      outcome: 'started',
      emergency: false,
      secret: { name: machine.secretName },
    });
    expect(
      fixture.stack.secretsManager
        .inspectSecret(machine.secretName)
        ?.versions.find((v) => v.stages.includes(Stage.current))?.versionId,
    ).toBe(document.versionId);
  });

  it('verify --json lists each check', async () => {
    const run = await local('verify', 'prod/clerk/machines/billing', '--json');

    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.ok).toBe(true);
    expect(document.instanceKeySecret).toEqual({
      secretId: fixture.stack.instanceKeySecretName,
      source: 'CLERK_SECRET_KEY_SECRET_ID',
    });
    expect(document.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`)).toEqual([
      'current-key-works:pass',
      'current-key-is-clerks:pass',
      'previous-key-overlap:pass',
    ]);
  });

  it('exits 3 when Secrets Manager or Clerk cannot be reached', async () => {
    // Act
    const [aws, clerk] = await Promise.all([
      spawnCli(['status', 'prod/clerk/machines/billing', '--endpoint-url', 'http://127.0.0.1:9'], {
        ...fixture.env,
        AWS_MAX_ATTEMPTS: '1',
      }),
      spawnCli(['verify', 'prod/clerk/machines/billing', '--clerk-api-url', 'http://127.0.0.1:9/v1'], fixture.env),
    ]);
    log.record(aws);
    log.record(clerk);

    // Assess
    expect(aws.code).toBe(3);
    expect(aws.stderr).toContain('cannot reach Secrets Manager at http://127.0.0.1:9');
    expect(clerk.code).toBe(3);
    // verify's first Clerk call is the scheduled verification's: Clerk's current key.
    expect(clerk.stderr).toMatch(/error \[CLERK_NETWORK\]: Clerk GetMachineSecretKey: network error/);
  });
});
