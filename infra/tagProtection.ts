import { DefaultStackSynthesizer, Fn, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ROTATE_RECORD_TAG_PREFIX, TagKey } from '../lib/constants.ts';

/** `clerk-rotator:`, the prefix every tag the rotator reads or writes shares (TagKey, ROTATE_RECORD_TAG_PREFIX). */
export const ROTATOR_TAG_PREFIX = TagKey.machineId.slice(0, TagKey.machineId.indexOf(':') + 1);

/** CloudFormation calling with the deploying principal's own credentials (no service role) sets aws:CalledVia. */
const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

/**
 * The rotation function's identity statement for its durable rotate records: TagResource and UntagResource only when
 * every tag key in the request is `clerk-rotator:rotate-sent:*`. ForAllValues is also true for a request without
 * tag keys; the Null condition requires aws:TagKeys to be present, so such a request is not allowed either.
 * Resources: the machine secrets, added as machines are.
 */
export function rotateRecordTaggingStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
    conditions: {
      'ForAllValues:StringLike': { 'aws:TagKeys': `${ROTATE_RECORD_TAG_PREFIX}*` },
      Null: { 'aws:TagKeys': 'false' },
    },
  });
}

/**
 * The role CloudFormation deploys this stack with, when CDK's default synthesizer names one (the bootstrap's
 * `cfn-exec-role`); undefined for other synthesizers, whose deployments call with the deployer's credentials.
 */
export function deploymentRoleArn(stack: Stack): string | undefined {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) return undefined;
  try {
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  } catch {
    // A DefaultStackSynthesizer subclass without an execution role (BootstraplessSynthesizer).
    return undefined;
  }
}

/** Who, besides CloudFormation calling with the deployer's credentials, may change what this policy protects. */
export interface TagProtectionPrincipals {
  /** ARNs (or ArnLike patterns) that may change `clerk-rotator:*` tags and the secret's resource policy. */
  readonly admins: readonly string[];
  /** ARNs that may change `clerk-rotator:*` tags only (the rotator's roles; their own policies narrow it further). */
  readonly taggers: readonly string[];
}

/**
 * The principals of {@link protectRotatorTags}: the deployment role (CDK's default synthesizer) and `tagAdmins` as
 * admins (roles and users by ARN, strings as ARN patterns), and the rotator's roles as taggers.
 */
export function tagProtectionPrincipals(
  stack: Stack,
  tagAdmins: ReadonlyArray<iam.IRole | iam.IUser | string> = [],
  taggers: readonly string[],
): TagProtectionPrincipals {
  const deployment = deploymentRoleArn(stack);
  const admins = tagAdmins.map((admin) =>
    typeof admin === 'string' ? admin : 'roleArn' in admin ? admin.roleArn : admin.userArn,
  );
  return { admins: deployment === undefined ? admins : [deployment, ...admins], taggers };
}

/**
 * Adds to a machine secret's resource policy: nobody but the listed principals and CloudFormation may add, change
 * or remove a `clerk-rotator:*` tag (the machine binding, the instance-key choice, the overrides, the rotate
 * records), nor replace or delete this policy. An explicit deny in a resource policy wins over any Allow in an
 * app role's own policy, so a role with `secretsmanager:*` cannot rebind the secret either.
 */
export function protectRotatorTags(secret: secretsmanager.ISecret, principals: TagProtectionPrincipals): void {
  const notCloudFormation = { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': CLOUDFORMATION_SERVICE } };
  const exceptFor = (arns: readonly string[]) =>
    // With no ARN to except (a deployment without a service role, no tagAdmins), only CloudFormation is excepted.
    arns.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': [...arns] }, ...notCloudFormation } : notCloudFormation;
  const deny = (sid: string, actions: string[], conditions: Record<string, unknown>) =>
    secret.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions,
        resources: ['*'],
        conditions,
      }),
    );
  deny('OnlyRotatorAndDeploymentsChangeRotatorTags', ['secretsmanager:TagResource', 'secretsmanager:UntagResource'], {
    'ForAnyValue:StringLike': { 'aws:TagKeys': `${ROTATOR_TAG_PREFIX}*` },
    ...exceptFor([...principals.admins, ...principals.taggers]),
  });
  deny(
    'OnlyDeploymentsChangeThisPolicy',
    ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'],
    exceptFor(principals.admins),
  );
}
