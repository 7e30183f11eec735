import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ROTATION_ENV_VARS } from '../../infra/functionEnvironment.ts';
import { EnvVar, TagKey } from '../../lib/constants.ts';
import {
  ACCOUNT,
  COMPLETE_ARN,
  defaultSharedEnvironment,
  functionEnvironment,
  functionProperties,
  INSTANCE_KEY_NAME,
  newRotator,
  newStack,
  partialSecretArn,
  REGION,
  resourceProperties,
  sharedTwoMachines,
} from './cdkTestSupport.ts';

const defaults = sharedTwoMachines();

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
      expect(environment).toEqual(defaultSharedEnvironment());
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
});
