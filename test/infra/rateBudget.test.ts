/**
 * The Clerk rate budget checked at synthesis (infra/RotatorBudget.ts, docs/decisions/014-rate-budget.md): over budget
 * fails synthesis with the numbers and the fixes, near it warns, a verification that cannot finish within its
 * interval fails; rotators of one app that share an instance-key secret are counted together; staggerWindows gives
 * each machine a stable slot and brings a fleet that is over budget inside it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import type { ClerkMachineKeyRotatorProps } from '../../infra/ClerkMachineKeyRotatorProps.ts';
import { ACCOUNT, newRotator, newStack, REGION, resourceProperties } from './cdkTestSupport.ts';

const BUDGET_PATH = '/Test/Rotator/RateBudget';

/** `rotators` stacks in one app, each with a rotator of `machines` machines on the same instance-key secret. */
function fleetApp(rotators: number, machines: number, props: Partial<ClerkMachineKeyRotatorProps>) {
  const app = new App();
  const stacks: Stack[] = [];
  for (let r = 0; r < rotators; r++) {
    // A stack holds at most 500 resources (four per machine): a fleet spreads over stacks.
    const stack = new Stack(app, `Fleet${r}`, { env: { account: ACCOUNT, region: REGION } });
    const rotator = newRotator(stack, props);
    for (let m = 0; m < machines; m++) rotator.addMachine(`M${m}`, { machineId: `mch_r${r}m${m}` });
    stacks.push(stack);
  }
  return { app, stacks };
}

/** 160 machines rotating every 12 hours in one-hour windows, on a development instance (100 per 10 s). */
const TWELVE_HOURLY: Partial<ClerkMachineKeyRotatorProps> = {
  schedule: Duration.hours(12),
  appsShareOfRateLimit: 0.65,
  verification: { clerkRateShare: 0.02 },
};

function rateBudgetWarnings(stack: Stack) {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('rateBudget'));
}

describe('Clerk rate budget at synthesis', () => {
  it('has nothing to say about the default rotator with one machine', () => {
    const stack = newStack();
    newRotator(stack).addMachine('Api', { machineId: 'mch_api' });

    expect(rateBudgetWarnings(stack)).toEqual([]);
  });

  it('fails synthesis when a fleet behind one instance is over budget, naming the numbers and the fixes', () => {
    const { app } = fleetApp(4, 40, TWELVE_HOURLY);

    // 160 windows open at 00:00 and 12:00: 7 rotations (28 calls) in the busiest 10 s, plus 4 verifications × 2.
    expect(() => app.synth()).toThrow(
      "Clerk instance clerk/instance-secret-key (160 machines): a predicted peak of 36 Clerk calls per 10 s (rotations 28, busiest around 00:00 UTC; verification 8) is over the rotator's budget of 35 (the declared limit of 100 per 10 s less 65 % kept for the apps); widen rotationWindow, set staggerWindows, lengthen verification.interval or lower verification.clerkRateShare, or declare a larger clerkRateLimit if the instance has one",
    );
  });

  it('reports an instance shared by several rotators once, from the first of them', () => {
    const { app } = fleetApp(4, 40, TWELVE_HOURLY);

    const message = (() => {
      try {
        app.synth();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message.match(/Clerk instance /g)).toHaveLength(1);
    expect(message).toContain('[Fleet0/Rotator/RateBudget]');
  });

  it('fits the same fleet once its windows are staggered', () => {
    const { app, stacks } = fleetApp(4, 40, { ...TWELVE_HOURLY, staggerWindows: true });

    expect(() => app.synth()).not.toThrow();
    for (const stack of stacks) expect(rateBudgetWarnings(stack)).toEqual([]);
  });

  it('counts instances apart: machines with their own instance-key secret are another instance', () => {
    const { app } = fleetApp(2, 40, TWELVE_HOURLY);
    const stack = new Stack(app, 'Other', { env: { account: ACCOUNT, region: REGION } });
    const rotator = newRotator(stack, TWELVE_HOURLY);
    const otherInstance = secretsmanager.Secret.fromSecretNameV2(stack, 'Other', 'clerk/other-instance');
    for (let m = 0; m < 40; m++) {
      rotator.addMachine(`M${m}`, { machineId: `mch_other${m}`, instanceKeySecret: otherInstance });
    }

    // 80 machines on the shared instance and 40 on the other: each fits on its own.
    expect(() => app.synth()).not.toThrow();
  });

  it('warns from 80 % of the budget', () => {
    const stack = newStack();
    const rotator = newRotator(stack, { clerkRateLimit: 25 });
    for (let m = 0; m < 40; m++) rotator.addMachine(`M${m}`, { machineId: `mch_${m}` });

    // 40 windows of a day: 2 rotations (8 calls) in the busiest 10 s of a month, plus 2.5 for the verification.
    Annotations.fromStack(stack).hasWarning(
      BUDGET_PATH,
      Match.stringLikeRegexp(
        String.raw`^Clerk instance clerk/instance-secret-key \(40 machines\): a predicted peak of 10\.5 Clerk calls per 10 s .* is 84 % of the rotator's budget of 12\.5 `,
      ),
    );
  });

  it('fails synthesis when a verification run cannot finish within its interval at its paced rate', () => {
    const stack = newStack();
    const rotator = newRotator(stack, { verification: { interval: Duration.minutes(5), clerkRateShare: 0.01 } });
    for (let m = 0; m < 50; m++) rotator.addMachine(`M${m}`, { machineId: `mch_${m}` });

    expect(() => Template.fromStack(stack)).toThrow(
      'The verification of Test/Rotator needs 500 s per run for 50 machines (50 on clerk/instance-secret-key at 0.1 calls per s: the declared limit × its share / 10 s), longer than its interval of 300 s; lengthen verification.interval, raise verification.clerkRateShare, or declare a larger clerkRateLimit if the instance has one',
    );
  });

  it('refuses an apps share outside 0–0.99', () => {
    expect(() => newRotator(newStack(), { appsShareOfRateLimit: 1 })).toThrow(
      /^appsShareOfRateLimit must be a number at least 0 and at most 0.99, got 1$/,
    );
  });
});

describe('staggerWindows', () => {
  function schedulesOf(machineIds: readonly string[], props: Partial<ClerkMachineKeyRotatorProps>) {
    const stack = newStack();
    const rotator = newRotator(stack, { staggerWindows: true, ...props });
    const machines = machineIds.map((machineId) => rotator.addMachine(machineId, { machineId }));
    const template = Template.fromStack(stack);
    return Object.fromEntries(
      machines.map((machine) => [
        machine.machineId,
        resourceProperties(stack, machine.rotationSchedule, template).RotationRules as unknown,
      ]),
    );
  }

  it('gives a machine the same window whatever else is deployed and in whatever order', () => {
    const first = schedulesOf(['mch_a', 'mch_b', 'mch_c'], { schedule: Duration.hours(12) });
    const second = schedulesOf(['mch_z', 'mch_c', 'mch_y', 'mch_a', 'mch_b'], { schedule: Duration.hours(12) });

    for (const id of ['mch_a', 'mch_b', 'mch_c']) expect(second[id]).toEqual(first[id]);
    expect(first.mch_a).toEqual({
      ScheduleExpression: expect.stringMatching(/^cron\(0 \d+\/12 \* \* \? \*\)$/),
      Duration: '1h',
    });
  });

  it('spreads a fleet over the slots of its period', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `mch_${i}`);
    const rules = Object.values(schedulesOf(ids, { schedule: Duration.hours(8), rotationWindow: Duration.hours(2) }));

    const openings = new Set(rules.map((rule) => (rule as { ScheduleExpression: string }).ScheduleExpression));
    // Four 2-hour slots in 8 hours: cron(0 0/8 …), cron(0 2/8 …), cron(0 4/8 …), cron(0 6/8 …).
    expect([...openings].sort()).toEqual(['0/8', '2/8', '4/8', '6/8'].map((hours) => `cron(0 ${hours} * * ? *)`));
    for (const rule of rules) expect(rule).toMatchObject({ Duration: '2h' });
  });

  it('spreads a weekly schedule over weekdays and hours', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `mch_${i}`);
    const rules = Object.values(schedulesOf(ids, { schedule: Duration.days(7), rotationWindow: Duration.hours(6) }));

    for (const rule of rules) {
      expect(rule).toEqual({
        ScheduleExpression: expect.stringMatching(/^cron\(0 (0|6|12|18) \? \* (SUN|MON|TUE|WED|THU|FRI|SAT) \*\)$/),
        Duration: '6h',
      });
    }
    expect(new Set(rules.map((rule) => JSON.stringify(rule))).size).toBeGreaterThan(10);
  });

  it('leaves a schedule it cannot stagger as it is, and says why', () => {
    const stack = newStack();
    newRotator(stack, { staggerWindows: true }).addMachine('Api', { machineId: 'mch_api' });

    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    Annotations.fromStack(stack).hasWarning(
      BUDGET_PATH,
      Match.stringLikeRegexp(
        "staggerWindows left the machines' windows as they are: a cron\\(\\) cannot rotate every 30 days",
      ),
    );
  });
});
