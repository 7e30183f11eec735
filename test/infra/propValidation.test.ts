import { Duration, Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { RotatorPropsError } from '../../infra/index.ts';
import { EnvVar, TagKey } from '../../lib/constants.ts';
import { ACCOUNT, COMPLETE_ARN, functionEnvironment, newRotator, newStack, REGION } from './cdkTestSupport.ts';

describe('ClerkMachineKeyRotator: prop validation', () => {
  describe('validation', () => {
    const cases: [string, () => void, RegExp][] = [
      [
        'previousKeyTtl over 8 hours',
        () => newRotator(newStack(), { previousKeyTtl: Duration.hours(9) }),
        /^previousKeyTtl must be at most 8 hours, got 9 hours$/,
      ],
      [
        'previousKeyTtl with milliseconds',
        () => newRotator(newStack(), { previousKeyTtl: Duration.millis(1500) }),
        /previousKeyTtl must be a whole number of seconds, got 1 second 500 millis/,
      ],
      [
        'minRotationInterval over a day',
        () => newRotator(newStack(), { minRotationInterval: Duration.hours(25) }),
        /minRotationInterval must be at most 1 day, got 1 day 1 hour/,
      ],
      [
        'schedule under 4 hours',
        () => newRotator(newStack(), { schedule: Duration.hours(3) }),
        /schedule must be at least 4 hours, got 3 hours/,
      ],
      [
        'schedule over 1000 days',
        () => newRotator(newStack(), { schedule: Duration.days(1001) }),
        /schedule must be at most 1000 days, got 1001 days/,
      ],
      [
        'schedule in part-hours',
        () => newRotator(newStack(), { schedule: Duration.minutes(270) }),
        /schedule must be a whole number of hours, got 4 hours 30 minutes/,
      ],
      [
        'schedule in part-days',
        () => newRotator(newStack(), { schedule: Duration.hours(36) }),
        /schedule must be a whole number of days when it is a day or longer, got 1 day 12 hours/,
      ],
      [
        'schedule and scheduleExpression',
        () => newRotator(newStack(), { schedule: Duration.days(7), scheduleExpression: 'rate(7 days)' }),
        /schedule and scheduleExpression are mutually exclusive, got both \(7 days and "rate\(7 days\)"\)/,
      ],
      [
        'a rate under 4 hours',
        () => newRotator(newStack(), { scheduleExpression: 'rate(2 hours)' }),
        /scheduleExpression must rotate at most every 4 hours, got "rate\(2 hours\)"/,
      ],
      [
        'a rate over 1000 days',
        () => newRotator(newStack(), { scheduleExpression: 'rate(1001 days)' }),
        /scheduleExpression must be from 1 to 1000 days, got "rate\(1001 days\)"/,
      ],
      [
        'a rate in minutes',
        () => newRotator(newStack(), { scheduleExpression: 'rate(300 minutes)' }),
        /scheduleExpression must be rate\(N hours\), rate\(N days\) or cron\(0 H D M W \*\), got "rate\(300 minutes\)"/,
      ],
      [
        'a cron with 5 fields',
        () => newRotator(newStack(), { scheduleExpression: 'cron(0 12 * * ?)' }),
        /cron\(\) must have 6 fields .*, got 5/,
      ],
      [
        'a cron off the hour',
        () => newRotator(newStack(), { scheduleExpression: 'cron(15 12 * * ? *)' }),
        /cron\(\) minutes must be 0/,
      ],
      [
        'a cron with a year',
        () => newRotator(newStack(), { scheduleExpression: 'cron(0 12 * * ? 2030)' }),
        /cron\(\) year must be \*/,
      ],
      [
        'window in minutes',
        () => newRotator(newStack(), { rotationWindow: Duration.minutes(90) }),
        /rotationWindow must be a whole number of hours, got 1 hour 30 minutes/,
      ],
      [
        'window over 24 hours',
        () => newRotator(newStack(), { rotationWindow: Duration.hours(25) }),
        /rotationWindow must be at most 24 hours, got 1 day 1 hour/,
      ],
      [
        'window of zero',
        () => newRotator(newStack(), { rotationWindow: Duration.hours(0) }),
        /rotationWindow must be at least 1 hour, got 0 hours/,
      ],
      [
        'window longer than the interval',
        () => newRotator(newStack(), { schedule: Duration.hours(6), rotationWindow: Duration.hours(8) }),
        /rotationWindow must not be longer than the 6 hours between rotations .*, got 8 hours/,
      ],
      [
        'window past midnight',
        () => newRotator(newStack(), { scheduleExpression: 'cron(0 20 * * ? *)', rotationWindow: Duration.hours(6) }),
        /rotationWindow must end by the end of the UTC day: the window opening at 20:00 UTC can last at most 4 hours, got 6 hours/,
      ],
      [
        'window into the next cron window',
        () =>
          newRotator(newStack(), { scheduleExpression: 'cron(0 4/12 * * ? *)', rotationWindow: Duration.hours(13) }),
        /rotationWindow must end by the next window at 16:00 UTC/,
      ],
      [
        'an http Clerk URL',
        () => newRotator(newStack(), { clerkApiUrl: 'http://api.clerk.com/v1' }),
        /clerkApiUrl must use https, got "http:\/\/api.clerk.com"/,
      ],
      [
        'a Clerk URL that is not one',
        () => newRotator(newStack(), { clerkApiUrl: 'api.clerk.com' }),
        /clerkApiUrl must be an https URL such as https:\/\/api.clerk.com\/v1, got "api.clerk.com"/,
      ],
      [
        'a Clerk URL with credentials',
        () => newRotator(newStack(), { clerkApiUrl: 'https://u:p@api.clerk.com/v1' }),
        /clerkApiUrl must not contain credentials/,
      ],
      [
        'a replica in the primary region',
        () => newRotator(newStack(), { replicaRegions: [REGION] }),
        /replicaRegions must not contain the stack's own region .*"eu-west-1"/,
      ],
      [
        'a replica region that is not one',
        () => newRotator(newStack(), { replicaRegions: ['Frankfurt'] }),
        /replicaRegions must contain AWS region names such as eu-west-1, got "Frankfurt"/,
      ],
      [
        'a replica region twice',
        () => newRotator(newStack(), { replicaRegions: ['us-east-1', 'us-east-1'] }),
        /replicaRegions must not contain a region twice/,
      ],
      [
        'Node.js 20',
        () => newRotator(newStack(), { runtime: lambda.Runtime.NODEJS_20_X }),
        /runtime must be Node.js 22 or newer, got nodejs20.x/,
      ],
      [
        'Python',
        () => newRotator(newStack(), { runtime: lambda.Runtime.PYTHON_3_13 }),
        /runtime must be Node.js 22 or newer, got python3.13/,
      ],
      [
        'a malformed machine id',
        () => newRotator(newStack()).addMachine('Api', { machineId: 'mch-api' }),
        /addMachine\(Api\)\.machineId must match .*, got "mch-api"/,
      ],
      [
        'a machine id twice',
        () => {
          const r = newRotator(newStack());
          r.addMachine('A', { machineId: 'mch_a' });
          r.addMachine('B', { machineId: 'mch_a' });
        },
        /addMachine\(B\)\.machineId must be unique in this rotator, got mch_a twice/,
      ],
      [
        'a machine TTL over 8 hours',
        () => newRotator(newStack()).addMachine('Api', { machineId: 'mch_api', previousKeyTtl: Duration.hours(9) }),
        /addMachine\(Api\)\.previousKeyTtl must be at most 8 hours, got 9 hours/,
      ],
      [
        'a machine interval over a day',
        () => newRotator(newStack()).addMachine('Api', { machineId: 'mch_api', minRotationInterval: Duration.days(2) }),
        /addMachine\(Api\)\.minRotationInterval must be at most 1 day, got 2 days/,
      ],
      [
        'a secret name with spaces',
        () => newRotator(newStack()).addMachine('Api', { machineId: 'mch_api', secretName: 'my secret' }),
        /addMachine\(Api\)\.secretName must be 1 to 512 letters/,
      ],
      [
        'a secret name like an ARN suffix',
        () => newRotator(newStack()).addMachine('Api', { machineId: 'mch_api', secretName: 'clerk/api-AbCdEf' }),
        /addMachine\(Api\)\.secretName must not end with a hyphen followed by six characters/,
      ],
      [
        'an existing secret in another region',
        () => {
          const s = newStack();
          newRotator(s).addExistingMachineSecret(
            'X',
            secretsmanager.Secret.fromSecretCompleteArn(
              s,
              'X1',
              `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:x-AbC123`,
            ),
          );
        },
        /addExistingMachineSecret\(X\)\.secret must be in the stack's region \(eu-west-1\), got a secret in us-east-1/,
      ],
      [
        'an existing secret with a bad machine id',
        () => {
          const s = newStack();
          newRotator(s).addExistingMachineSecret(
            'X',
            secretsmanager.Secret.fromSecretCompleteArn(s, 'X1', COMPLETE_ARN),
            { machineId: 'nope' },
          );
        },
        /addExistingMachineSecret\(X\)\.machineId must match/,
      ],
    ];

    it.each(cases)('rejects %s', (_name, build, message) => {
      expect(build).toThrow(message);
    });

    it('throws RotatorPropsError naming the property', () => {
      try {
        newRotator(newStack(), { previousKeyTtl: Duration.hours(9) });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(RotatorPropsError);
        expect(error).toMatchObject({ name: 'RotatorPropsError', property: 'previousKeyTtl' });
      }
    });

    it('validates before creating anything', () => {
      const stack = newStack();
      expect(() => newRotator(stack, { previousKeyTtl: Duration.hours(9) })).toThrow(RotatorPropsError);
      expect(stack.node.tryFindChild('Rotator')?.node.children ?? []).toHaveLength(0);
    });

    it('skips unresolved tokens and passes them through', () => {
      // Prepare: values that would be rejected if they were known at synthesis
      const stack = newStack();
      const props = {
        previousKeyTtl: Duration.seconds(Lazy.number({ produce: () => 99_999 })),
        minRotationInterval: Duration.seconds(Lazy.number({ produce: () => 1 })),
        clerkApiUrl: Lazy.string({ produce: () => 'http://clerk.internal' }),
        scheduleExpression: Lazy.string({ produce: () => 'rate(1 hour)' }),
        rotationWindow: Duration.hours(Lazy.number({ produce: () => 2 })),
        replicaRegions: [Lazy.string({ produce: () => REGION })],
      };

      // Act
      const rotator = newRotator(stack, props);
      rotator.addMachine('Api', {
        machineId: Lazy.string({ produce: () => 'not-a-machine-id' }),
        previousKeyTtl: Duration.seconds(Lazy.number({ produce: () => 50_000 })),
      });

      // Assess
      const template = Template.fromStack(stack);
      expect(functionEnvironment(stack)).toMatchObject({
        [EnvVar.previousKeyTtlSeconds]: '99999',
        [EnvVar.clerkApiUrl]: 'http://clerk.internal',
      });
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(1 hour)', Duration: '2h' },
      });
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Tags: Match.arrayWith([{ Key: TagKey.previousKeyTtlSeconds, Value: '50000' }]),
      });
    });

    it('renders a schedule given as a token in days', () => {
      const stack = newStack();
      newRotator(stack, { schedule: Duration.days(Lazy.number({ produce: () => 3 })) }).addMachine('Api', {
        machineId: 'mch_api',
      });

      Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(3 days)' },
      });
    });

    it('rejects a schedule given as a token in minutes', () => {
      expect(() => newRotator(newStack(), { schedule: Duration.minutes(Lazy.number({ produce: () => 300 })) })).toThrow(
        /schedule given as a token must be in hours or days, got a token in minutes/,
      );
    });
  });
});
