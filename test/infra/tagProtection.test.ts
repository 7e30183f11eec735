import { App, CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import type { ClerkMachineKeyRotator, RotatedMachine } from '../../infra/index.ts';
import { ROTATOR_TAG_PREFIX } from '../../infra/tagProtection.ts';
import { ROTATE_RECORD_TAG_PREFIX, TagKey } from '../../lib/constants.ts';
import { ACCOUNT, newRotator, newStack, policyStatements, REGION, resourceProperties } from './cdkTestSupport.ts';
import { type IamRequest, type IamStatement, statementApplies } from './iamEvaluator.ts';

const CFN_EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-task-role`;
const SSO_ADMIN = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${REGION}/AWSReservedSSO_Admin_0123abcd`;
const TAG = 'secretsmanager:TagResource';
const UNTAG = 'secretsmanager:UntagResource';

interface Protected {
  readonly stack: Stack;
  readonly rotator: ClerkMachineKeyRotator;
  readonly machine: RotatedMachine;
  readonly operator: iam.Role;
  /** The machine secret's resource policy statements. */
  readonly resourcePolicy: IamStatement[];
  /** The rotation role's identity statements. */
  readonly rotationPolicy: IamStatement[];
}

function resourcePolicyOf(stack: Stack, machine: RotatedMachine, template = Template.fromStack(stack)): IamStatement[] {
  const policy = (machine.secret as secretsmanager.Secret).node.tryFindChild('Policy');
  if (policy === undefined) return [];
  return resourceProperties(stack, policy, template).ResourcePolicy.Statement;
}

const protectedSecret = (() => {
  let built: Protected | undefined;
  return (): Protected => {
    if (built === undefined) {
      const stack = newStack();
      const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
      const rotator = newRotator(stack, {
        tagAdmins: [operator, `arn:aws:iam::${ACCOUNT}:role/aws-reserved/*/AWSReservedSSO_Admin_*`],
      });
      const machine = rotator.addMachine('Api', { machineId: 'mch_api' });
      const template = Template.fromStack(stack);
      built = {
        stack,
        rotator,
        machine,
        operator,
        resourcePolicy: resourcePolicyOf(stack, machine, template),
        rotationPolicy: policyStatements(
          stack,
          rotator.role.node.findChild('DefaultPolicy'),
          template,
        ) as IamStatement[],
      };
    }
    return built;
  };
})();

function denied(statements: readonly IamStatement[], request: IamRequest): boolean {
  return statements.some((statement) => statement.Effect === 'Deny' && statementApplies(statement, request));
}

function allowed(statements: readonly IamStatement[], request: IamRequest): boolean {
  return statements.some((statement) => statement.Effect === 'Allow' && statementApplies(statement, request));
}

describe('Tag protection: who may change the clerk-rotator:* tags of a machine secret', () => {
  it('covers every tag the rotator reads or writes with one prefix', () => {
    expect(ROTATOR_TAG_PREFIX).toBe('clerk-rotator:');
    for (const key of [...Object.values(TagKey), ROTATE_RECORD_TAG_PREFIX])
      expect(key.startsWith(ROTATOR_TAG_PREFIX)).toBe(true);
  });

  it('denies an app role adding, changing or removing any clerk-rotator:* tag, alone or among other tags', () => {
    const { resourcePolicy } = protectedSecret();

    for (const action of [TAG, UNTAG]) {
      for (const tagKeys of [
        [TagKey.machineId],
        [TagKey.instanceKeySecretId],
        ['team', TagKey.previousKeyTtlSeconds],
        [`${ROTATE_RECORD_TAG_PREFIX}forged`],
      ]) {
        expect(denied(resourcePolicy, { action, principalArn: APP_ROLE, tagKeys }), `${action} ${tagKeys}`).toBe(true);
      }
    }
  });

  it("leaves the app's other tags alone", () => {
    const { resourcePolicy } = protectedSecret();

    expect(denied(resourcePolicy, { action: TAG, principalArn: APP_ROLE, tagKeys: ['team', 'cost-center'] })).toBe(
      false,
    );
    expect(denied(resourcePolicy, { action: UNTAG, principalArn: APP_ROLE, tagKeys: ['team'] })).toBe(false);
  });

  it("lets deployments change the tags: the bootstrap execution role, and CloudFormation with the deployer's own credentials", () => {
    const { resourcePolicy } = protectedSecret();

    for (const action of [TAG, UNTAG]) {
      expect(denied(resourcePolicy, { action, principalArn: CFN_EXEC_ROLE, tagKeys: [TagKey.machineId] })).toBe(false);
      expect(
        denied(resourcePolicy, {
          action,
          principalArn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
          tagKeys: [TagKey.machineId],
          calledVia: ['cloudformation.amazonaws.com'],
        }),
      ).toBe(false);
    }
    // The same deployer calling Secrets Manager directly is an app role like any other.
    expect(
      denied(resourcePolicy, {
        action: TAG,
        principalArn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
        tagKeys: [TagKey.machineId],
      }),
    ).toBe(true);
  });

  it('lets tagAdmins change the tags: a role by reference, an Identity Center role by pattern', () => {
    const { stack, operator, resourcePolicy } = protectedSecret();

    expect(
      denied(resourcePolicy, {
        action: TAG,
        principalArn: stack.resolve(operator.roleArn),
        tagKeys: [TagKey.previousKeyTtlSeconds],
      }),
    ).toBe(false);
    expect(
      denied(resourcePolicy, { action: UNTAG, principalArn: SSO_ADMIN, tagKeys: [TagKey.minRotationIntervalSeconds] }),
    ).toBe(false);
  });

  it('lets the rotation function write its rotate records and nothing else: not denied by the secret, allowed only for rotate-sent keys by its role', () => {
    const { stack, rotator, resourcePolicy, rotationPolicy } = protectedSecret();
    const principalArn = stack.resolve(rotator.role.roleArn);
    const record = `${ROTATE_RECORD_TAG_PREFIX}0123456789abcdef`;

    for (const action of [TAG, UNTAG]) {
      expect(denied(resourcePolicy, { action, principalArn, tagKeys: [record] })).toBe(false);
      expect(allowed(rotationPolicy, { action, principalArn, tagKeys: [record] })).toBe(true);
      expect(allowed(rotationPolicy, { action, principalArn, tagKeys: [record, TagKey.machineId] })).toBe(false);
      expect(allowed(rotationPolicy, { action, principalArn, tagKeys: [TagKey.machineId] })).toBe(false);
      // ForAllValues alone would match a request without tag keys; the Null condition does not.
      expect(allowed(rotationPolicy, { action, principalArn, tagKeys: [] })).toBe(false);
    }
  });

  it('denies the verification role changing tags (it has no reason to)', () => {
    const { stack, rotator, resourcePolicy } = protectedSecret();

    const principalArn = stack.resolve(rotator.verification?.role.roleArn);
    expect(denied(resourcePolicy, { action: TAG, principalArn, tagKeys: [TagKey.machineId] })).toBe(true);
  });

  it('lets only deployments and tagAdmins replace or delete the resource policy itself', () => {
    const { stack, rotator, operator, resourcePolicy } = protectedSecret();

    for (const action of ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy']) {
      expect(denied(resourcePolicy, { action, principalArn: APP_ROLE })).toBe(true);
      expect(denied(resourcePolicy, { action, principalArn: stack.resolve(rotator.role.roleArn) })).toBe(true);
      expect(denied(resourcePolicy, { action, principalArn: CFN_EXEC_ROLE })).toBe(false);
      expect(denied(resourcePolicy, { action, principalArn: stack.resolve(operator.roleArn) })).toBe(false);
      expect(
        denied(resourcePolicy, { action, principalArn: APP_ROLE, calledVia: ['cloudformation.amazonaws.com'] }),
      ).toBe(false);
    }
  });

  it('denies nothing else: reading, writing values and rotating stay with IAM', () => {
    const { resourcePolicy } = protectedSecret();

    for (const action of [
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:RotateSecret',
      'secretsmanager:UpdateSecretVersionStage',
    ]) {
      expect(denied(resourcePolicy, { action, principalArn: APP_ROLE })).toBe(false);
    }
  });

  it('is the exact resource policy CloudFormation gets, on every secret addMachine creates', () => {
    const { stack, rotator, operator, machine } = protectedSecret();

    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: stack.resolve((machine.secret as secretsmanager.Secret).secretArn),
      ResourcePolicy: {
        Statement: [
          {
            Sid: 'OnlyRotatorAndDeploymentsChangeRotatorTags',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [TAG, UNTAG],
            Resource: '*',
            Condition: {
              'ForAnyValue:StringLike': { 'aws:TagKeys': 'clerk-rotator:*' },
              ArnNotLike: {
                'aws:PrincipalArn': [
                  {
                    'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
                  },
                  stack.resolve(operator.roleArn),
                  `arn:aws:iam::${ACCOUNT}:role/aws-reserved/*/AWSReservedSSO_Admin_*`,
                  stack.resolve(rotator.role.roleArn),
                ],
              },
              'ForAllValues:StringNotEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' },
            },
          },
          {
            Sid: 'OnlyDeploymentsChangeThisPolicy',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'],
            Resource: '*',
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': [
                  {
                    'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
                  },
                  stack.resolve(operator.roleArn),
                  `arn:aws:iam::${ACCOUNT}:role/aws-reserved/*/AWSReservedSSO_Admin_*`,
                ],
              },
              'ForAllValues:StringNotEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' },
            },
          },
        ],
      },
    });
  });

  it('without a bootstrap execution role or tagAdmins, lets only CloudFormation change the policy', () => {
    // Prepare: a stack deployed with the CLI's own credentials (no CloudFormation service role)
    const stack = new Stack(new App(), 'CliCredentials', {
      env: { account: ACCOUNT, region: REGION },
      synthesizer: new CliCredentialsStackSynthesizer(),
    });
    const machine = newRotator(stack).addMachine('Api', { machineId: 'mch_api' });

    // Act
    const policy = resourcePolicyOf(stack, machine);

    // Assess
    expect(policy[1]?.Condition).toEqual({
      'ForAllValues:StringNotEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' },
    });
    expect(denied(policy, { action: TAG, principalArn: CFN_EXEC_ROLE, tagKeys: [TagKey.machineId] })).toBe(true);
    expect(
      denied(policy, {
        action: TAG,
        principalArn: APP_ROLE,
        tagKeys: [TagKey.machineId],
        calledVia: ['cloudformation.amazonaws.com'],
      }),
    ).toBe(false);
  });

  it('adds no resource policy with protectTags: false, nor to a secret it did not create', () => {
    const stack = newStack();
    const unprotected = newRotator(stack, { protectTags: false }).addMachine('Api', { machineId: 'mch_api' });
    const other = newStack('Other');
    const existing = newRotator(other).addExistingMachineSecret(
      'Existing',
      secretsmanager.Secret.fromSecretNameV2(other, 'E', 'clerk/machines/existing'),
    );

    expect(resourcePolicyOf(stack, unprotected)).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    Template.fromStack(other).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    expect(existing.secret).toBeDefined();
  });
});
