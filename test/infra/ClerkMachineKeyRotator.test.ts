import { type CfnElement, Duration, Lazy, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ROTATION_ENV_VARS } from '../../infra/functionEnvironment.ts';
import { type ClerkMachineKeyRotator, type RotatedMachine, RotatorPropsError } from '../../infra/index.ts';
import { Defaults, EnvVar, ROTATE_RECORD_TAG_PREFIX, TagKey } from '../../lib/constants.ts';

import {
  ACCOUNT,
  functionProperties,
  INSTANCE_KEY_NAME,
  newRotator,
  newStack,
  partialSecretArn,
  policyStatements,
  REGION,
  resourceProperties,
} from './cdkTestSupport.ts';

const MACHINE_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];
const COMPLETE_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/machines/imported-AbC123`;

function instanceKeyPolicyArn(name = INSTANCE_KEY_NAME): unknown {
  return partialSecretArn(`${name}-??????`);
}

/** The rotation role's default policy statements, in order. */
function roleStatements(
  stack: Stack,
  rotator: ClerkMachineKeyRotator,
  template = Template.fromStack(stack),
): unknown[] {
  return policyStatements(stack, rotator.role.node.findChild('DefaultPolicy'), template);
}

/** The rotation function's environment variables, of the rotator `newRotator` created in the stack. */
function functionEnvironment(stack: Stack, template = Template.fromStack(stack)): Record<string, unknown> {
  const rotator = stack.node.findChild('Rotator') as ClerkMachineKeyRotator;
  return functionProperties(stack, rotator.rotationFunction, template).Environment.Variables;
}

/** The default configuration with two machines, synthesized once and shared by the tests that only read it. */
const defaults = (() => {
  let built: {
    stack: Stack;
    rotator: ClerkMachineKeyRotator;
    api: RotatedMachine;
    worker: RotatedMachine;
    template: Template;
  };
  return () => {
    if (built === undefined) {
      const stack = newStack();
      const rotator = newRotator(stack);
      const api = rotator.addMachine('Api', { machineId: 'mch_api' });
      const worker = rotator.addMachine('Worker', { machineId: 'mch_worker' });
      built = { stack, rotator, api, worker, template: Template.fromStack(stack) };
    }
    return built;
  };
})();

describe('Class: ClerkMachineKeyRotator', () => {
  describe('the rotation function', () => {
    it('is one arm64 Node.js 24 function with a 60 s timeout and no reserved concurrency, shared by all machines', () => {
      const { stack, rotator, template } = defaults();

      // Two functions in all: this one and the verification's.
      template.resourceCountIs('AWS::Lambda::Function', 2);
      expect(functionProperties(stack, rotator.rotationFunction, template)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 60,
        MemorySize: 256,
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: stack.resolve(rotator.logGroup.logGroupName), LogFormat: 'JSON' },
        Role: stack.resolve(rotator.role.roleArn),
      });
      expect(functionProperties(stack, rotator.rotationFunction, template)).not.toHaveProperty(
        'ReservedConcurrentExecutions',
      );
    });

    it('takes another architecture and Node.js 22', () => {
      const stack = newStack();
      const rotator = newRotator(stack, {
        architecture: lambda.Architecture.X86_64,
        runtime: lambda.Runtime.NODEJS_22_X,
      });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      for (const fn of [rotator.rotationFunction, rotator.verification?.function]) {
        expect(functionProperties(stack, fn as lambda.IFunction)).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['x86_64'],
        });
      }
    });

    it('logs to its own log group, kept one year by default (the verification has another)', () => {
      const { stack, rotator, template } = defaults();

      template.resourceCountIs('AWS::Logs::LogGroup', 2);
      expect(resourceProperties(stack, rotator.logGroup, template)).toEqual({ RetentionInDays: 365 });
    });

    it('keeps logs as long as logRetention says, in both log groups', () => {
      const stack = newStack();
      newRotator(stack, { logRetention: logs.RetentionDays.THREE_MONTHS }).addMachine('Api', { machineId: 'mch_api' });

      const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
      expect(Object.values(groups).map((group) => group.Properties.RetentionInDays)).toEqual([90, 90]);
    });

    it('gets exactly the variables the rotation function reads, with the defaults from lib/constants.ts', () => {
      const { stack, template } = defaults();

      const environment = functionEnvironment(stack, template);
      expect(Object.keys(environment).sort()).toEqual([...ROTATION_ENV_VARS].sort());
      expect(environment).toEqual({
        [EnvVar.instanceKeySecretId]: partialSecretArn(INSTANCE_KEY_NAME),
        [EnvVar.allowedInstanceKeySecretIds]: partialSecretArn(INSTANCE_KEY_NAME),
        [EnvVar.clerkApiUrl]: Defaults.clerkApiUrl,
        [EnvVar.previousKeyTtlSeconds]: String(Defaults.previousKeyTtlSeconds),
        [EnvVar.minRotationIntervalSeconds]: String(Defaults.minRotationIntervalSeconds),
        [EnvVar.rotateLandingHorizonSeconds]: String(Defaults.rotateLandingHorizonSeconds),
        [EnvVar.logLevel]: 'info',
      });
    });

    it('passes rotateLandingHorizon in seconds', () => {
      const stack = newStack();
      newRotator(stack, { rotateLandingHorizon: Duration.minutes(2) }).addMachine('Api', { machineId: 'mch_api' });

      expect(functionEnvironment(stack)[EnvVar.rotateLandingHorizonSeconds]).toBe('120');
    });

    it("allows the default instance key and every machine's, in the form of the tag, growing as machines are added", () => {
      // Prepare
      const stack = newStack();
      const sk = secretsmanager.Secret.fromSecretNameV2(stack, 'Sk', INSTANCE_KEY_NAME);
      const rotator = newRotator(stack, { instanceKeySecret: sk });
      const other = secretsmanager.Secret.fromSecretNameV2(stack, 'OtherInstance', 'clerk/other-instance');
      const third = secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'Third',
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/third-Xy9876`,
      );

      // Act
      const a = rotator.addMachine('A', { machineId: 'mch_a', instanceKeySecret: other });
      rotator.addMachine('B', { machineId: 'mch_b', instanceKeySecret: other });
      rotator.addExistingMachineSecret(
        'C',
        secretsmanager.Secret.fromSecretNameV2(stack, 'CSecret', 'clerk/machines/c'),
        { instanceKeySecret: third },
      );

      // Assess: each id once, in the form the instance-key tag has (partial ARN by name, else the complete ARN)
      const template = Template.fromStack(stack);
      const tags = resourceProperties(stack, a.secret, template).Tags as { Key: string; Value: unknown }[];
      expect(tags.find((tag) => tag.Key === TagKey.instanceKeySecretId)?.Value).toEqual(stack.resolve(other.secretArn));
      for (const environment of [
        functionEnvironment(stack, template),
        functionProperties(stack, rotator.verification?.function as lambda.IFunction, template).Environment.Variables,
      ]) {
        expect(environment[EnvVar.allowedInstanceKeySecretIds]).toEqual(
          stack.resolve([sk.secretArn, other.secretArn, third.secretArn].join(',')),
        );
      }
    });

    it('passes previousKeyTtl, minRotationInterval and clerkApiUrl in seconds and as given', () => {
      const stack = newStack();
      newRotator(stack, {
        previousKeyTtl: Duration.hours(2),
        minRotationInterval: Duration.minutes(30),
        clerkApiUrl: 'https://clerk.example.com/v1',
        verification: { interval: Duration.minutes(30) },
      }).addMachine('Api', { machineId: 'mch_api' });

      expect(functionEnvironment(stack)).toMatchObject({
        [EnvVar.previousKeyTtlSeconds]: '7200',
        [EnvVar.minRotationIntervalSeconds]: '1800',
        [EnvVar.clerkApiUrl]: 'https://clerk.example.com/v1',
      });
    });

    it('accepts a TTL of zero (no overlap) and the 8-hour maximum', () => {
      for (const [ttl, expected] of [
        [Duration.seconds(0), '0'],
        [Duration.hours(8), '28800'],
      ] as const) {
        const stack = newStack();
        newRotator(stack, { previousKeyTtl: ttl }).addMachine('Api', { machineId: 'mch_api' });
        expect(functionEnvironment(stack)[EnvVar.previousKeyTtlSeconds]).toBe(expected);
      }
    });

    it('passes the complete ARN of an instance-key secret when CDK knows it', () => {
      const stack = newStack();
      const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/sk-Xy9876`;
      newRotator(stack, {
        instanceKeySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Sk', arn),
      }).addMachine('Api', { machineId: 'mch_api' });

      expect(functionEnvironment(stack)[EnvVar.instanceKeySecretId]).toBe(arn);
    });

    it('runs in a VPC when given one, with the ENI permissions Lambda needs there', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 1 });
      newRotator(stack, { vpc }).addMachine('Api', { machineId: 'mch_api' });

      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        ManagedPolicyArns: [
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaENIManagementAccess'],
            ],
          },
        ],
      });
    });
  });

  describe('IAM', () => {
    it('allows exactly the four rotation actions and rotate-record tags on exactly these secrets, GetSecretValue on the instance key, and its own log group', () => {
      const { stack, rotator, api, worker, template } = defaults();

      const secrets = [stack.resolve(api.secret.secretArn), stack.resolve(worker.secret.secretArn)];
      expect(roleStatements(stack, rotator, template)).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: stack.resolve(rotator.logGroup.logGroupArn),
        },
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: instanceKeyPolicyArn() },
        { Action: MACHINE_ACTIONS, Effect: 'Allow', Resource: secrets },
        {
          Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
          Condition: {
            'ForAllValues:StringLike': { 'aws:TagKeys': `${ROTATE_RECORD_TAG_PREFIX}*` },
            Null: { 'aws:TagKeys': 'false' },
          },
          Effect: 'Allow',
          Resource: secrets,
        },
      ]);
    });

    it('may start a rotation of these secrets (RotateSecret, and invoke itself as its caller must), in a policy the function does not depend on', () => {
      const { stack, rotator, api, worker, template } = defaults();

      const restart = rotator.node.findChild('RestartPolicy');
      expect(resourceProperties(stack, restart, template).Roles).toEqual([stack.resolve(rotator.role.roleName)]);
      expect(policyStatements(stack, restart, template)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: stack.resolve(rotator.rotationFunction.functionArn),
        },
        {
          Action: 'secretsmanager:RotateSecret',
          Effect: 'Allow',
          Resource: [stack.resolve(api.secret.secretArn), stack.resolve(worker.secret.secretArn)],
        },
      ]);
      const fn =
        template.toJSON().Resources[stack.getLogicalId(rotator.rotationFunction.node.defaultChild as CfnElement)];
      expect(fn.DependsOn).not.toContain(stack.getLogicalId(restart.node.defaultChild as CfnElement));
    });

    it('attaches no AWS-managed policy (no AWSLambdaBasicExecutionRole) and nothing like GetRandomPassword', () => {
      const { template } = defaults();

      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
        ManagedPolicyArns: Match.absent(),
      });
      expect(JSON.stringify(template.toJSON())).not.toContain('GetRandomPassword');
    });

    it('matches an imported-by-name secret with exactly six suffix characters, never a *', () => {
      const stack = newStack();
      const rotator = newRotator(stack);
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Existing', 'clerk/machines/legacy');

      rotator.addExistingMachineSecret('Legacy', secret, { machineId: 'mch_legacy' });

      expect(roleStatements(stack, rotator)[2]).toEqual({
        Action: MACHINE_ACTIONS,
        Effect: 'Allow',
        Resource: partialSecretArn('clerk/machines/legacy-??????'),
      });
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/secret:[^"]*\*/);
    });

    it('uses a complete ARN as is', () => {
      const stack = newStack();
      const rotator = newRotator(stack);
      const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Existing', COMPLETE_ARN);

      rotator.addExistingMachineSecret('Imported', secret);

      expect(roleStatements(stack, rotator)[2]).toEqual({
        Action: MACHINE_ACTIONS,
        Effect: 'Allow',
        Resource: COMPLETE_ARN,
      });
    });

    it('may read a per-machine instance-key secret too, listed once however many machines use it', () => {
      const stack = newStack();
      const rotator = newRotator(stack);
      const other = secretsmanager.Secret.fromSecretNameV2(stack, 'OtherInstance', 'clerk/other-instance');

      rotator.addMachine('A', { machineId: 'mch_a', instanceKeySecret: other });
      rotator.addMachine('B', { machineId: 'mch_b', instanceKeySecret: other });

      expect(roleStatements(stack, rotator)[1]).toEqual({
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: [instanceKeyPolicyArn(), instanceKeyPolicyArn('clerk/other-instance')],
      });
    });

    it('may invoke exactly the notify functions (no version or alias wildcard) and names them in ROTATION_NOTIFY_FUNCTION_ARNS', () => {
      // Prepare
      const stack = newStack();
      const first = lambda.Function.fromFunctionArn(
        stack,
        'First',
        `arn:aws:lambda:${REGION}:${ACCOUNT}:function:first`,
      );
      const second = lambda.Function.fromFunctionArn(
        stack,
        'Second',
        `arn:aws:lambda:${REGION}:${ACCOUNT}:function:second:live`,
      );

      // Act
      const rotator = newRotator(stack, { notifyFunctions: [first, second] });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      // Assess
      expect(functionEnvironment(stack)[EnvVar.notifyFunctionArns]).toBe(`${first.functionArn},${second.functionArn}`);
      expect(roleStatements(stack, rotator)).toContainEqual({
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [first.functionArn, second.functionArn],
      });
    });

    it('sets no ROTATION_NOTIFY_FUNCTION_ARNS and grants no invoke of other functions without notify functions', () => {
      const { stack, rotator, template } = defaults();

      expect(functionEnvironment(stack, template)).not.toHaveProperty(EnvVar.notifyFunctionArns);
      expect(JSON.stringify(roleStatements(stack, rotator, template))).not.toContain('lambda:InvokeFunction');
    });

    it('grantRead gives a consumer GetSecretValue and DescribeSecret on that machine secret only', () => {
      const stack = newStack();
      const rotator = newRotator(stack);
      const api = rotator.addMachine('Api', { machineId: 'mch_api' });
      rotator.addMachine('Worker', { machineId: 'mch_worker' });
      const consumer = new iam.Role(stack, 'Consumer', {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      });

      const grant = api.grantRead(consumer);

      expect(grant.success).toBe(true);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [stack.resolve(consumer.roleName)],
        PolicyDocument: {
          Statement: [
            {
              Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
              Effect: 'Allow',
              Resource: stack.resolve(api.secret.secretArn),
            },
          ],
        },
      });
    });
  });

  describe('KMS', () => {
    it('creates machine secrets with encryptionKey and allows Decrypt and GenerateDataKey only via Secrets Manager', () => {
      // Prepare
      const stack = newStack();
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });

      // Act
      const rotator = newRotator(stack, { encryptionKey: key });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      // Assess
      Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
        KmsKeyId: stack.resolve(key.keyArn),
      });
      expect(roleStatements(stack, rotator)).toContainEqual({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
        Effect: 'Allow',
        Resource: stack.resolve(key.keyArn),
      });
    });

    it('allows only Decrypt for the key of an instance-key secret, and merges actions when the key is shared', () => {
      const stack = newStack();
      const instanceKeyKey = kms.Key.fromKeyArn(stack, 'SkKey', `arn:aws:kms:${REGION}:${ACCOUNT}:key/instance`);
      const shared = kms.Key.fromKeyArn(stack, 'Shared', `arn:aws:kms:${REGION}:${ACCOUNT}:key/shared`);
      const rotator = newRotator(stack, {
        instanceKeySecret: secretsmanager.Secret.fromSecretAttributes(stack, 'Sk', {
          secretPartialArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/sk`,
          encryptionKey: instanceKeyKey,
        }),
        encryptionKey: shared,
      });
      rotator.addMachine('Api', {
        machineId: 'mch_api',
        instanceKeySecret: secretsmanager.Secret.fromSecretAttributes(stack, 'Sk2', {
          secretPartialArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/sk2`,
          encryptionKey: shared,
        }),
      });

      const kmsStatements = roleStatements(stack, rotator).filter((s) => JSON.stringify(s).includes('kms:'));
      expect(kmsStatements).toEqual([
        {
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
          Effect: 'Allow',
          Resource: shared.keyArn,
        },
        {
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
          Effect: 'Allow',
          Resource: instanceKeyKey.keyArn,
        },
      ]);
    });

    it('allows the key of an imported machine secret', () => {
      const stack = newStack();
      const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/imported`);
      const rotator = newRotator(stack);
      rotator.addExistingMachineSecret(
        'Imported',
        secretsmanager.Secret.fromSecretAttributes(stack, 'Existing', {
          secretCompleteArn: COMPLETE_ARN,
          encryptionKey: key,
        }),
      );

      expect(roleStatements(stack, rotator)).toContainEqual({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
        Effect: 'Allow',
        Resource: key.keyArn,
      });
    });

    it('asks for no KMS permission with the AWS-managed key', () => {
      const { stack, rotator, template } = defaults();

      expect(JSON.stringify(roleStatements(stack, rotator, template))).not.toContain('kms:');
    });
  });

  describe('invoke permission', () => {
    it('lets secretsmanager.amazonaws.com invoke the function for each secret, from this account only', () => {
      // Prepare
      const stack = newStack();
      const rotator = newRotator(stack);

      // Act
      const api = rotator.addMachine('Api', { machineId: 'mch_api' });
      const legacy = rotator.addExistingMachineSecret(
        'Legacy',
        secretsmanager.Secret.fromSecretNameV2(stack, 'Existing', 'clerk/machines/legacy'),
      );

      // Assess
      const template = Template.fromStack(stack);
      expect(
        Object.values(template.findResources('AWS::Lambda::Permission')).filter(
          (permission) => permission.Properties.Principal === 'secretsmanager.amazonaws.com',
        ),
      ).toHaveLength(2);
      for (const [machine, sourceArn] of [
        [api, stack.resolve(api.secret.secretArn)],
        [legacy, partialSecretArn('clerk/machines/legacy-??????')],
      ] as const) {
        expect(stack.resolve(machine.invokePermission._toCloudFormation())).toMatchObject({
          Resources: {
            [stack.getLogicalId(machine.invokePermission)]: {
              Properties: {
                Action: 'lambda:InvokeFunction',
                FunctionName: stack.resolve(rotator.rotationFunction.functionArn),
                Principal: 'secretsmanager.amazonaws.com',
                SourceAccount: ACCOUNT,
                SourceArn: sourceArn,
              },
            },
          },
        });
      }
    });

    it('has no invoke permission without a SourceAccount condition (two machines, one verification schedule)', () => {
      const { template } = defaults();

      const permissions = template.findResources('AWS::Lambda::Permission');
      expect(
        Object.values(permissions)
          .map((permission) => permission.Properties.Principal)
          .sort(),
      ).toEqual(['events.amazonaws.com', 'secretsmanager.amazonaws.com', 'secretsmanager.amazonaws.com']);
      for (const permission of Object.values(permissions)) {
        expect(permission.Properties.SourceAccount).toBeDefined();
        expect(permission.Properties.SourceArn).toBeDefined();
      }
    });
  });

  describe('rotation schedule', () => {
    it('rotates every 30 days by default, and never immediately on deploy', () => {
      const { stack, rotator, api, template } = defaults();

      template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: stack.resolve(api.secret.secretArn),
        RotationLambdaARN: stack.resolve(rotator.rotationFunction.functionArn),
        RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: Match.absent() },
        RotateImmediatelyOnUpdate: false,
        HostedRotationLambda: Match.absent(),
      });
    });

    it('rotates immediately on update only when asked', () => {
      const stack = newStack();
      newRotator(stack, { rotateImmediatelyOnUpdate: true }).addMachine('Api', { machineId: 'mch_api' });

      Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotateImmediatelyOnUpdate: true,
      });
    });

    it('is configured only after the invoke permission and the role policy exist', () => {
      const { stack, rotator, api, template } = defaults();

      const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
      const dependsOn = schedules[stack.getLogicalId(api.rotationSchedule)]?.DependsOn as string[];
      const policy = rotator.role.node.findChild('DefaultPolicy').node.defaultChild;
      expect(dependsOn).toEqual(
        expect.arrayContaining([
          stack.getLogicalId(api.invokePermission),
          stack.getLogicalId(policy as Parameters<Stack['getLogicalId']>[0]),
        ]),
      );
    });

    it.each([
      [Duration.hours(4), 'rate(4 hours)'],
      [Duration.hours(12), 'rate(12 hours)'],
      [Duration.hours(24), 'rate(1 day)'],
      [Duration.days(7), 'rate(7 days)'],
      [Duration.days(1000), 'rate(1000 days)'],
    ])('renders schedule %s as %s', (schedule, expression) => {
      const stack = newStack();
      newRotator(stack, { schedule }).addMachine('Api', { machineId: 'mch_api' });

      Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: expression },
      });
    });

    it('passes a scheduleExpression and a rotation window through as "<hours>h"', () => {
      const stack = newStack();
      newRotator(stack, {
        scheduleExpression: 'cron(0 16 ? * SUN *)',
        rotationWindow: Duration.hours(3),
      }).addMachine('Api', { machineId: 'mch_api' });

      Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'cron(0 16 ? * SUN *)', Duration: '3h' },
      });
    });

    it('accepts a window as long as the interval, and a whole-day window for a schedule in days', () => {
      for (const props of [
        { schedule: Duration.hours(6), rotationWindow: Duration.hours(6) },
        { schedule: Duration.days(2), rotationWindow: Duration.hours(24) },
        { scheduleExpression: 'cron(0 4/12 * * ? *)', rotationWindow: Duration.hours(8) },
      ]) {
        const stack = newStack();
        expect(() => newRotator(stack, props).addMachine('Api', { machineId: 'mch_api' })).not.toThrow();
      }
    });
  });

  describe('machine secrets', () => {
    it('creates the secret with only the machine id (no key in the template), tagged, retained, encrypted by default', () => {
      const { template } = defaults();

      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: {
          SecretString: JSON.stringify({ machineId: 'mch_api' }),
          Description: 'Clerk machine secret key for mch_api, rotated by clerk-machine-key-rotator',
          Tags: [{ Key: TagKey.machineId, Value: 'mch_api' }],
          KmsKeyId: Match.absent(),
          ReplicaRegions: Match.absent(),
          GenerateSecretString: Match.absent(),
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      expect(JSON.stringify(template.toJSON())).not.toMatch(/ak_|sk_(live|test)_/);
    });

    it('takes a name, a description and a removal policy', () => {
      const stack = newStack();
      newRotator(stack).addMachine('Api', {
        machineId: 'mch_api',
        secretName: 'clerk/machines/api',
        description: 'API machine',
        removalPolicy: RemovalPolicy.DESTROY,
      });

      Template.fromStack(stack).hasResource('AWS::SecretsManager::Secret', {
        Properties: { Name: 'clerk/machines/api', Description: 'API machine' },
        DeletionPolicy: 'Delete',
      });
    });

    it('writes per-machine overrides as the tags the function reads (TagKey)', () => {
      // Prepare
      const stack = newStack();
      const rotator = newRotator(stack);
      const other = secretsmanager.Secret.fromSecretNameV2(stack, 'OtherInstance', 'clerk/other-instance');

      // Act
      rotator.addMachine('Api', {
        machineId: 'mch_api',
        previousKeyTtl: Duration.hours(4),
        minRotationInterval: Duration.minutes(10),
        instanceKeySecret: other,
      });

      // Assess
      const secrets = Template.fromStack(stack).findResources('AWS::SecretsManager::Secret');
      const tags = Object.values(secrets)[0]?.Properties.Tags as { Key: string; Value: unknown }[];
      expect(tags.map((tag) => tag.Key).sort()).toEqual(Object.values(TagKey).sort());
      expect(Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]))).toEqual({
        [TagKey.machineId]: 'mch_api',
        [TagKey.previousKeyTtlSeconds]: '14400',
        [TagKey.minRotationIntervalSeconds]: '600',
        [TagKey.instanceKeySecretId]: partialSecretArn('clerk/other-instance'),
      });
    });

    it('replicates to replicaRegions, with a replica key where given', () => {
      const stack = newStack();
      const replicaKeyArn = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/replica`;
      newRotator(stack, {
        replicaRegions: [
          'us-east-1',
          { region: 'eu-central-1', encryptionKey: kms.Key.fromKeyArn(stack, 'R', replicaKeyArn) },
        ],
      }).addMachine('Api', { machineId: 'mch_api' });

      Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
        ReplicaRegions: [{ Region: 'us-east-1' }, { Region: 'eu-central-1', KmsKeyId: replicaKeyArn }],
      });
    });

    it('rotates an existing secret without creating or tagging one', () => {
      const stack = newStack();
      const rotator = newRotator(stack);
      const existing = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Existing', COMPLETE_ARN);

      const machine = rotator.addExistingMachineSecret('Imported', existing, { machineId: 'mch_imported' });

      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: COMPLETE_ARN });
      expect(machine.secret).toBe(existing);
      expect(machine.machineId).toBe('mch_imported');
      expect(rotator.machines).toEqual([machine]);
    });

    it('refuses to synthesize a rotator without machines', () => {
      const stack = newStack();
      newRotator(stack);

      expect(() => Template.fromStack(stack)).toThrow(/has no machines/);
    });

    it('warns when more machines share the function than its resource policy can hold comfortably', () => {
      const stack = newStack();
      const rotator = newRotator(stack);
      for (let i = 0; i < 41; i++) rotator.addMachine(`M${i}`, { machineId: `mch_${i}` });

      Annotations.fromStack(stack).hasWarning('/Test/Rotator', Match.stringLikeRegexp('More than 40 machines'));
    });
  });

  describe('alarms', () => {
    it('sends failed, abandoned and failed-test rotations of exactly these secrets to a new TLS-only topic', () => {
      // Prepare
      const stack = newStack();
      const rotator = newRotator(stack);

      // Act
      const api = rotator.addMachine('Api', { machineId: 'mch_api' });
      rotator.addExistingMachineSecret(
        'Legacy',
        secretsmanager.Secret.fromSecretNameV2(stack, 'E', 'clerk/machines/legacy'),
      );
      rotator.addExistingMachineSecret(
        'Imported',
        secretsmanager.Secret.fromSecretCompleteArn(stack, 'C', COMPLETE_ARN),
      );

      // Assess
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.secretsmanager'],
          'detail-type': ['AWS Service Event via CloudTrail'],
          detail: {
            eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'],
            additionalEventData: {
              SecretId: [
                stack.resolve(api.secret.secretArn),
                { prefix: partialSecretArn('clerk/machines/legacy-') },
                COMPLETE_ARN,
              ],
            },
          },
        },
        Targets: [
          {
            Arn: stack.resolve(rotator.alarmTopic.topicArn),
            Id: Match.anyValue(),
            InputTransformer: {
              InputPathsMap: Match.objectLike({
                'detail-eventName': '$.detail.eventName',
                'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId',
              }),
              InputTemplate: Match.stringLikeRegexp(
                'Secrets Manager reported <detail-eventName> for <detail-additionalEventData-SecretId>',
              ),
            },
          },
        ],
      });
    });

    it('uses the given alarmTopic instead of creating one', () => {
      const stack = newStack();
      const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:ops`;
      const rotator = newRotator(stack, { alarmTopic: sns.Topic.fromTopicArn(stack, 'Ops', topicArn) });
      rotator.addMachine('Api', { machineId: 'mch_api' });

      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicArn] });
      template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: topicArn })] });
    });
  });

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
