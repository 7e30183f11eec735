import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { TagKey } from '../../lib/constants.ts';
import { ACCOUNT, COMPLETE_ARN, newRotator, newStack, partialSecretArn, sharedTwoMachines } from './cdkTestSupport.ts';

const defaults = sharedTwoMachines();

describe('ClerkMachineKeyRotator: machine secrets and their rotation schedules', () => {
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
});
