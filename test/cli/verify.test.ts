/**
 * `verify` runs the scheduled verification (lib/verification/verifyMachineSecret.ts) for one secret or for every
 * secret of a rotation function, reports each verdict, and heals drift only when asked — the way the scheduled
 * verification does, through Secrets Manager, never with a new rotate at Clerk. Real processes against the local stack.
 */
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { EnvVar, RUNBOOK_URL } from '../../lib/constants.ts';
import { spawnCli, useCliStack } from './cliTestSupport.ts';

describe('CLI: verify shares the scheduled verification', () => {
  const fixture = useCliStack();
  const { cli, local, log } = fixture;
  /** The verification's Clerk share raised, so a run over several secrets is not paced to 1 call/s. */
  const fastEnv = () => ({
    ...fixture.env,
    [EnvVar.clerkRateLimitPer10Seconds]: '1000',
    [EnvVar.verifyClerkRateShare]: '1',
  });

  async function currentKeyOf(secretName: string): Promise<string> {
    const value = await fixture.stack.client.send(new GetSecretValueCommand({ SecretId: secretName }));
    return JSON.parse(value.SecretString ?? '{}').secretKey;
  }

  it('verify --all over a healthy fleet: every secret in sync, exit 0', async () => {
    // Prepare
    const machines = [
      await fixture.stack.addMachine({ name: 'fleet-a' }),
      await fixture.stack.addMachine({ name: 'fleet-b' }),
    ];

    // Act
    const run = log.record(await spawnCli(['verify', '--all', '--function', fixture.stack.functionArn], fastEnv()));

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Verifying the machine secrets rotated by ${fixture.stack.functionArn} against Clerk`);
    for (const machine of machines) expect(run.stdout).toMatch(new RegExp(`in-sync +${machine.secretName} \\(mch_`));
    expect(run.stdout).toContain('2 secrets: 2 in-sync');
    expect(run.stdout).toContain('verified');
  });

  it('reports drift without healing it: exit 1, nothing started', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'drifted' });
    fixture.stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 3600 });
    const rotationsBefore = fixture.stack.secretsManager.rotations().length;

    // Act
    const run = await cli('verify', machine.secretName);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ok {4}AWSCURRENT's key \(version .*\) authenticates at Clerk/);
    expect(run.stdout).toMatch(/FAIL {2}AWSCURRENT's key is not Clerk's current key/);
    expect(run.stdout).toContain('verdict: drift');
    expect(run.stdout).toContain(
      "AWSCURRENT's key is not Clerk's current key; Clerk still accepts it (until its overlap ends)",
    );
    expect(run.stdout).toContain(
      "heal: not started: `clerk-rotator verify --heal` starts a rotation that adopts Clerk's key, as the scheduled verification does",
    );
    expect(run.stdout).toContain('verification failed');
    expect(fixture.stack.secretsManager.rotations()).toHaveLength(rotationsBefore);
  });

  it('verify --heal starts the rotation that adopts Clerk’s key, without a rotate at Clerk; then it verifies', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'healed' });
    const dashboardKey = fixture.stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 3600 });

    // Act
    const healed = await cli('--json', 'verify', machine.secretName, '--heal');
    await fixture.stack.secretsManager.rotationsIdle();
    const after = await local('verify', machine.secretName);

    // Assess
    expect(healed.code).toBe(1);
    const document = JSON.parse(healed.stdout);
    expect(document).toMatchObject({
      ok: false,
      healRequested: true,
      machineId: machine.machineId,
      verdict: { outcome: 'drift', healthy: false, currentKeyAccepted: true, heal: { state: 'started' } },
    });
    expect(document.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`)).toEqual([
      'current-key-works:pass',
      'current-key-is-clerks:fail',
      'previous-key-overlap:skip',
    ]);
    expect(fixture.stack.secretsManager.rotations().at(-1)).toMatchObject({
      clientRequestToken: document.verdict.heal.versionId,
      outcome: 'succeeded',
    });
    expect(await currentKeyOf(machine.secretName)).toBe(dashboardKey);
    expect(fixture.stack.clerk.rotationsFor(machine.machineId)).toHaveLength(0);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('verdict: in-sync');
  });

  it('verify <secret> --all takes the secret’s function, reports every verdict, and exits 1 for any unhealthy one', async () => {
    // Prepare: one more secret whose value is not a machine secret.
    const invalid = await fixture.stack.addMachine({ name: 'fleet-invalid' });
    await fixture.stack.client.send(new PutSecretValueCommand({ SecretId: invalid.secretName, SecretString: '{}' }));

    // Act
    const run = log.record(await spawnCli(['--json', 'verify', 'clerk/machines/fleet-a', '--all'], fastEnv()));
    const text = log.record(await spawnCli(['verify', 'clerk/machines/fleet-a', '--all'], fastEnv()));

    // Assess
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({
      ok: false,
      functionArn: fixture.stack.functionArn,
      healRequested: false,
      counts: { 'in-sync': 3, drift: 1, invalid: 1 },
    });
    const byName = Object.fromEntries(
      document.secrets.map((s: { secret: { name: string }; outcome: string }) => [s.secret.name, s]),
    );
    expect(byName['clerk/machines/drifted']).toMatchObject({ outcome: 'drift', heal: { state: 'off' } });
    expect(byName['clerk/machines/fleet-invalid']).toMatchObject({
      outcome: 'invalid',
      errorCode: 'SECRET_FORMAT_INVALID',
      runbook: `${RUNBOOK_URL}#secret_format_invalid`,
    });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/invalid +clerk\/machines\/fleet-invalid/);
    expect(text.stdout).toContain('    [SECRET_FORMAT_INVALID] ');
    expect(text.stdout).toContain('5 secrets: ');
    expect(text.stdout).toContain('verification failed');
  });

  it.each([
    [[], 'verify needs a <secret>, or --all with --function <arn>'],
    [['clerk/machines/fleet-a', '--function', 'FUNCTION'], '--function goes with --all'],
    [
      ['clerk/machines/fleet-a', '--all', '--function', 'FUNCTION'],
      'either <secret> (its rotation function) or --function <arn>, not both',
    ],
  ])('refuses %j with a usage error (exit 2), before asking anything', async (args, message) => {
    const run = await local('verify', ...args.map((arg) => (arg === 'FUNCTION' ? fixture.stack.functionArn : arg)));

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});
