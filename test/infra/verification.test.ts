import { type CfnElement, Duration, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { VERIFICATION_ENV_VARS } from '../../infra/functionEnvironment.ts';
import { type ClerkMachineKeyRotator, RotatorPropsError } from '../../infra/index.ts';
import type { RotatorVerification } from '../../infra/RotatorVerification.ts';
import { Defaults, EnvVar } from '../../lib/constants.ts';
import {
  ACCOUNT,
  defaultSharedEnvironment,
  functionProperties,
  INSTANCE_KEY_NAME,
  newRotator,
  newStack,
  partialSecretArn,
  policyStatements,
  REGION,
  resourceProperties,
  sharedDefaultRotator,
} from './cdkTestSupport.ts';

const VERIFY_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:RotateSecret',
  'secretsmanager:UpdateSecretVersionStage',
];

function verificationOf(rotator: ClerkMachineKeyRotator): RotatorVerification {
  if (rotator.verification === undefined) throw new Error('the rotator has no verification');
  return rotator.verification;
}

function environmentOf(stack: Stack, fn: lambda.IFunction, template: Template): Record<string, unknown> {
  return functionProperties(stack, fn, template).Environment.Variables;
}

const defaults = sharedDefaultRotator();

describe('Class: RotatorVerification (the scheduled verification of ClerkMachineKeyRotator)', () => {
  describe('the function', () => {
    it('is a second function with a 15-minute timeout, its own role and log group, and no Lambda retries', () => {
      const { stack, rotator, template } = defaults();
      const verification = verificationOf(rotator);

      expect(functionProperties(stack, verification.function, template)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 900,
        Handler: 'index.handler',
        Role: stack.resolve(verification.role.roleArn),
        LoggingConfig: { LogGroup: stack.resolve(verification.logGroup.logGroupName), LogFormat: 'JSON' },
      });
      expect(verification.role).not.toBe(rotator.role);
      expect(verification.logGroup).not.toBe(rotator.logGroup);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: stack.resolve(verification.function.functionName),
        MaximumRetryAttempts: 0,
      });
    });

    it('gets exactly the variables the verification function reads, with the defaults from lib/constants.ts', () => {
      const { stack, rotator, template } = defaults();

      const environment = environmentOf(stack, verificationOf(rotator).function, template);
      expect(Object.keys(environment).sort()).toEqual([...VERIFICATION_ENV_VARS].sort());
      expect(environment).toEqual({
        ...defaultSharedEnvironment(),
        [EnvVar.rotationFunctionArn]: stack.resolve(rotator.rotationFunction.functionArn),
        [EnvVar.clerkRateLimitPer10Seconds]: String(Defaults.clerkRateLimitPer10Seconds),
        [EnvVar.verifyClerkRateShare]: String(Defaults.verifyClerkRateShare),
        [EnvVar.pendingStuckAfterSeconds]: String(Defaults.pendingStuckAfterSeconds),
        [EnvVar.verifyHeal]: 'true',
      });
    });

    it('passes the verification options and the production rate limit as given', () => {
      // Prepare
      const stack = newStack();
      const rotator = newRotator(stack, {
        clerkRateLimit: 1000,
        rotateLandingHorizon: Duration.minutes(5),
        logLevel: 'debug',
        verification: { heal: false, clerkRateShare: 0.25, pendingStuckAfter: Duration.hours(2) },
      });

      // Act
      rotator.addMachine('Api', { machineId: 'mch_api' });

      // Assess
      const template = Template.fromStack(stack);
      expect(environmentOf(stack, verificationOf(rotator).function, template)).toMatchObject({
        [EnvVar.clerkRateLimitPer10Seconds]: '1000',
        [EnvVar.verifyClerkRateShare]: '0.25',
        [EnvVar.pendingStuckAfterSeconds]: '7200',
        [EnvVar.rotateLandingHorizonSeconds]: '300',
        [EnvVar.verifyHeal]: 'false',
        [EnvVar.logLevel]: 'debug',
      });
    });

    it('is not deployed when disabled: one function, no schedule, no verification alarms', () => {
      const stack = newStack();
      const rotator = newRotator(stack, { verification: { enabled: false } });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      const template = Template.fromStack(stack);
      expect(rotator.verification).toBeUndefined();
      template.resourceCountIs('AWS::Lambda::Function', 1);
      expect(Object.keys(template.findResources('AWS::Events::Rule'))).toHaveLength(1); // the rotation failures
      expect(Object.keys(rotator.metricAlarms).sort()).toEqual([
        'OldKeyStillAccepted',
        'OverlapExpired',
        'PromotionRefused',
        'RotationNotificationFailed',
      ]);
    });
  });

  describe('the schedule', () => {
    it('runs the function every hour by default, with an invoke permission for exactly that rule from this account', () => {
      const { stack, rotator, template } = defaults();
      const verification = verificationOf(rotator);

      expect(resourceProperties(stack, verification.schedule, template)).toMatchObject({
        ScheduleExpression: 'rate(1 hour)',
        State: 'ENABLED',
        Targets: [{ Arn: stack.resolve(verification.function.functionArn), Id: expect.any(String) }],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: stack.resolve(verification.function.functionArn),
        Principal: 'events.amazonaws.com',
        SourceArn: stack.resolve(verification.schedule.ruleArn),
        SourceAccount: ACCOUNT,
      });
    });

    it.each([
      [Duration.minutes(15), 'rate(15 minutes)'],
      [Duration.minutes(90), 'rate(90 minutes)'],
      [Duration.hours(2), 'rate(2 hours)'],
    ])('runs every %s as %s', (interval, expression) => {
      const stack = newStack();
      const rotator = newRotator(stack, { verification: { interval } });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      expect(resourceProperties(stack, verificationOf(rotator).schedule).ScheduleExpression).toBe(expression);
    });
  });

  describe('IAM', () => {
    it('lists secrets, checks and restarts exactly the machine secrets, reads the instance keys, and writes its own logs', () => {
      // Prepare
      const stack = newStack();
      const rotator = newRotator(stack);
      const other = secretsmanager.Secret.fromSecretNameV2(stack, 'OtherInstance', 'clerk/other-instance');

      // Act
      const api = rotator.addMachine('Api', { machineId: 'mch_api', instanceKeySecret: other });
      rotator.addExistingMachineSecret(
        'Legacy',
        secretsmanager.Secret.fromSecretNameV2(stack, 'Existing', 'clerk/machines/legacy'),
      );

      // Assess
      const verification = verificationOf(rotator);
      const template = Template.fromStack(stack);
      expect(policyStatements(stack, verification.role.node.findChild('DefaultPolicy'), template)).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: stack.resolve(verification.logGroup.logGroupArn),
        },
        { Action: 'secretsmanager:ListSecrets', Effect: 'Allow', Resource: '*' },
        {
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: [partialSecretArn(`${INSTANCE_KEY_NAME}-??????`), partialSecretArn('clerk/other-instance-??????')],
        },
        {
          Action: VERIFY_ACTIONS,
          Effect: 'Allow',
          Resource: [stack.resolve(api.secret.secretArn), partialSecretArn('clerk/machines/legacy-??????')],
        },
      ]);
    });

    it('may invoke the rotation function (RotateSecret needs it) and itself (to continue), in a policy the function does not depend on', () => {
      const { stack, rotator, template } = defaults();
      const verification = verificationOf(rotator);

      const invoke = verification.node.findChild('InvokePolicy');
      expect(resourceProperties(stack, invoke, template).Roles).toEqual([stack.resolve(verification.role.roleName)]);
      expect(policyStatements(stack, invoke, template)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: [
            stack.resolve(rotator.rotationFunction.functionArn),
            stack.resolve(verification.function.functionArn),
          ],
        },
      ]);
      const fn = template.toJSON().Resources[stack.getLogicalId(verification.function.node.defaultChild as CfnElement)];
      expect(fn.DependsOn).not.toContain(stack.getLogicalId(invoke.node.defaultChild as CfnElement));
    });

    it('uses KMS keys only to decrypt, only via Secrets Manager', () => {
      // Prepare
      const stack = newStack();
      const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/machines`);
      const rotator = newRotator(stack, { encryptionKey: key });

      // Act
      rotator.addMachine('Api', { machineId: 'mch_api' });

      // Assess
      const statements = policyStatements(stack, verificationOf(rotator).role.node.findChild('DefaultPolicy'));
      expect(statements.filter((statement) => JSON.stringify(statement).includes('kms:'))).toEqual([
        {
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
          Effect: 'Allow',
          Resource: key.keyArn,
        },
      ]);
    });
  });

  describe('validation', () => {
    const cases: [string, () => void, RegExp][] = [
      [
        'an interval longer than a quarter of the default TTL',
        () => newRotator(newStack(), { previousKeyTtl: Duration.hours(2) }),
        /^previousKeyTtl of 2 hours needs verification.interval at most a quarter of it \(30 minutes\), got 1 hour: shorten verification.interval, lengthen the TTL, or disable the verification$/,
      ],
      [
        "an interval longer than a quarter of a machine's TTL",
        () =>
          newRotator(newStack(), { verification: { interval: Duration.minutes(30) } }).addMachine('Api', {
            machineId: 'mch_api',
            previousKeyTtl: Duration.minutes(90),
          }),
        /^addMachine\(Api\)\.previousKeyTtl of 1 hour 30 minutes needs verification.interval at most a quarter of it \(22 minutes\), got 30 minutes/,
      ],
      [
        'an interval in seconds',
        () => newRotator(newStack(), { verification: { interval: Duration.seconds(90) } }),
        /^verification.interval must be a whole number of minutes \(an EventBridge rate\), got 1 minute 30 seconds$/,
      ],
      [
        'an interval over a day',
        () =>
          newRotator(newStack(), { previousKeyTtl: Duration.seconds(0), verification: { interval: Duration.days(2) } }),
        /^verification.interval must be at most 1 day, got 2 days$/,
      ],
      [
        'a rate share of 0',
        () => newRotator(newStack(), { verification: { clerkRateShare: 0 } }),
        /^verification.clerkRateShare must be a number greater than 0 and at most 1, got 0$/,
      ],
      [
        'a rate share over 1',
        () => newRotator(newStack(), { verification: { clerkRateShare: 1.5 } }),
        /^verification.clerkRateShare must be a number greater than 0 and at most 1, got 1.5$/,
      ],
      [
        'a rate limit that is not a whole number',
        () => newRotator(newStack(), { clerkRateLimit: 99.5 }),
        /^clerkRateLimit must be a whole number at least 1 and at most 100000, got 99.5$/,
      ],
      [
        'a rate limit over what the verification accepts',
        () => newRotator(newStack(), { clerkRateLimit: 100_001 }),
        /^clerkRateLimit must be a whole number at least 1 and at most 100000, got 100001$/,
      ],
      [
        'a pending-stuck threshold shorter than the landing horizon (the verification would refuse it at every run)',
        () =>
          newRotator(newStack(), {
            rotateLandingHorizon: Duration.minutes(20),
            verification: { pendingStuckAfter: Duration.minutes(15) },
          }),
        /^verification.pendingStuckAfter must be at least rotateLandingHorizon \(20 minutes\), got 15 minutes$/,
      ],
      [
        'a pending-stuck threshold over 7 days',
        () => newRotator(newStack(), { verification: { pendingStuckAfter: Duration.days(8) } }),
        /^verification.pendingStuckAfter must be at most 7 days, got 8 days$/,
      ],
      [
        'a landing horizon shorter than 6 Clerk request timeouts',
        () => newRotator(newStack(), { rotateLandingHorizon: Duration.seconds(20) }),
        /^rotateLandingHorizon must be at least 30 seconds \(6× the function's 5 seconds Clerk request timeout\), got 20 seconds$/,
      ],
      [
        'a landing horizon over an hour',
        () => newRotator(newStack(), { rotateLandingHorizon: Duration.minutes(61) }),
        /^rotateLandingHorizon must be at most 1 hour, got 1 hour 1 minute$/,
      ],
    ];

    it.each(cases)('rejects %s', (_name, build, message) => {
      expect(build).toThrow(RotatorPropsError);
      expect(build).toThrow(message);
    });

    it('accepts an interval of exactly a quarter of the TTL, any interval with a TTL of 0, and a disabled verification', () => {
      for (const props of [
        { previousKeyTtl: Duration.hours(2), verification: { interval: Duration.minutes(30) } },
        { previousKeyTtl: Duration.seconds(0), verification: { interval: Duration.hours(12) } },
        { previousKeyTtl: Duration.minutes(10), verification: { enabled: false } },
      ]) {
        const rotator = newRotator(newStack(), props);
        expect(() =>
          rotator.addMachine('Api', { machineId: 'mch_api', previousKeyTtl: Duration.seconds(0) }),
        ).not.toThrow();
      }
    });
  });
});
