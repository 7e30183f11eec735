/**
 * `clerk-rotator plan` as a real process against the local stack: the managed secrets of the account grouped by
 * Clerk instance, each instance's predicted busiest 10 s against its budget, the day hour by hour, in text and JSON;
 * exit 1 over budget, 2 for bad options.
 */
import { CreateSecretCommand, RotateSecretCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { TagKey } from '../../lib/constants.ts';
import { useCliStack } from './cliTestSupport.ts';

const OTHER_INSTANCE = 'clerk/other-instance';

describe('CLI plan against the local stack', () => {
  const fixture = useCliStack();
  const { cli } = fixture;

  /** A seeded machine secret with rotation configured (testSecret passes), then tagged as asked. */
  async function managedSecret(
    name: string,
    rules: Record<string, unknown> | undefined,
    tags: Record<string, string> = {},
  ) {
    const { stack } = fixture;
    const machine = stack.clerk.createMachine({ name });
    await stack.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({ machineId: machine.id, secretKey: stack.clerk.currentKey(machine.id) }),
        Tags: [{ Key: TagKey.machineId, Value: machine.id }],
      }),
    );
    if (rules !== undefined) {
      await stack.client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: stack.functionArn,
          RotationRules: rules,
          RotateImmediately: false,
        }),
      );
      await stack.secretsManager.rotationsIdle();
    }
    const extra = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (extra.length > 0) await stack.client.send(new TagResourceCommand({ SecretId: name, Tags: extra }));
  }

  beforeAll(async () => {
    await managedSecret('clerk/machines/twice-daily', { ScheduleExpression: 'rate(12 hours)', Duration: '2h' });
    await managedSecret('clerk/machines/morning', { ScheduleExpression: 'cron(0 6 * * ? *)', Duration: '3h' });
    await managedSecret('clerk/machines/unscheduled', undefined);
    await managedSecret(
      'clerk/machines/elsewhere',
      { AutomaticallyAfterDays: 30 },
      { [TagKey.instanceKeySecretId]: OTHER_INSTANCE },
    );
  });

  it('prints each instance’s budget, its hours and its machines, without colour when not on a terminal', async () => {
    const run = await cli('plan');

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'Clerk rate budget of 4 managed secrets on 2 Clerk instances: the busiest 10 s of 30 days',
    );
    // Secrets without an instance tag belong to the functions' default, CLERK_SECRET_KEY_SECRET_ID here.
    expect(run.stdout).toContain(
      'clerk/instance-key: 3 machines, declared limit 100 per 10 s, budget 50  ok 12 % of the budget',
    );
    expect(run.stdout).toContain(`${OTHER_INSTANCE}: 1 machine, declared limit 100 per 10 s, budget 50`);
    expect(run.stdout).toContain('clerk/machines/twice-daily  mch_');
    expect(run.stdout).toContain('rate(12 hours), window 2h');
    expect(run.stdout).toContain('cron(0 6 * * ? *), window 3h');
    expect(run.stdout).toContain('clerk/machines/unscheduled');
    expect(run.stdout).toContain('rotation off');
    // Hour 06: one rotation (4 calls) and the verification's 2 on top; the budget (50 of 100) marked at cell 20.
    const six = run.stdout.split('\n').find((line) => line.startsWith('    06 '));
    expect(six).toBe(`    06 ██▍${' '.repeat(17)}│${' '.repeat(19)}     6 per 10 s     3 in the hour`);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('gives the same report as one JSON document', async () => {
    const run = await cli('plan', '--json');

    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    const byName = Object.fromEntries(
      document.instances.map((instance: { instance: string }) => [instance.instance, instance]),
    );
    const shared = byName['clerk/instance-key'];
    expect(shared).toMatchObject({
      machines: 3,
      rateLimitPer10Seconds: 100,
      budgetPer10Seconds: 50,
      rotationPeakPer10Seconds: 4,
      verificationPer10Seconds: 2,
      predictedPeakPer10Seconds: 6,
      status: 'ok',
    });
    expect(shared.hours.map((hour: { windowsOpen: number }) => hour.windowsOpen)).toEqual([
      1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(byName[OTHER_INSTANCE]).toMatchObject({ machines: 1, predictedPeakPer10Seconds: 5 });
    expect(document.verificationRuns).toEqual([
      expect.objectContaining({
        verifier: 'clerk-machine-key-rotator',
        machines: 3,
        intervalSeconds: 3600,
        fits: true,
      }),
    ]);
    expect(document).toMatchObject({ errors: [], warnings: [] });
  });

  it('exits 1 and says why when an instance is over its budget', async () => {
    const run = await cli('plan', '--json', '--instance-limit', `${OTHER_INSTANCE}=9`, '--apps-share', '0.6');

    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(document.errors).toEqual([
      `Clerk instance ${OTHER_INSTANCE} (1 machine): a predicted peak of 4.9 Clerk calls per 10 s (rotations 4, busiest around 00:00 UTC; verification 0.9) is over the rotator's budget of 3.6 (the declared limit of 9 per 10 s less 60 % kept for the apps); widen the rotation windows (RotationRules.Duration), stagger their openings (cron() hours, or the construct’s staggerWindows), verify less often or with a smaller share, or, if the instance allows more, declare a larger limit (--rate-limit, --instance-limit)`,
    ]);
    expect(run.stderr).toContain(`error: Clerk instance ${OTHER_INSTANCE} (1 machine)`);
  });

  it('refuses an apps share of the whole limit', async () => {
    const run = await cli('plan', '--apps-share', '1');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "option '--apps-share <share>' argument '1' is invalid. must be a share from 0 and below 1, got \"1\".",
    );
  });
});
