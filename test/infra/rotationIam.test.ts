import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { EnvVar, ROTATE_RECORD_TAG_PREFIX } from '../../lib/constants.ts';
import {
  ACCOUNT,
  COMPLETE_ARN,
  functionEnvironment,
  instanceKeyPolicyArn,
  MACHINE_ACTIONS,
  newRotator,
  newStack,
  partialSecretArn,
  policyStatements,
  REGION,
  resourceProperties,
  roleStatements,
  sharedTwoMachines,
} from './cdkTestSupport.ts';

const defaults = sharedTwoMachines();

describe('ClerkMachineKeyRotator: the rotation role and who may invoke the function', () => {
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
});
