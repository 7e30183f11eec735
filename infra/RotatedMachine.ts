import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IDependable } from 'constructs';
import { secretArnPattern, secretIdOf } from './secretArns.ts';

/** What {@link RotatedMachine} is built from; assembled by {@link ClerkMachineKeyRotator}. */
export interface RotatedMachineProps {
  /** The machine secret, or a factory creating it inside the machine's scope. */
  readonly secret: secretsmanager.ISecret | ((scope: Construct) => secretsmanager.ISecret);
  /** The Clerk machine id, when known. */
  readonly machineId?: string;
  readonly rotationFunction: lambda.IFunction;
  readonly rotationRules: secretsmanager.CfnRotationSchedule.RotationRulesProperty;
  readonly rotateImmediatelyOnUpdate: boolean;
  /** Must exist before Secrets Manager first invokes the function (its role and policies). */
  readonly dependsOn: readonly IDependable[];
}

/**
 * One machine secret rotated by a {@link ClerkMachineKeyRotator}: the secret, its rotation schedule and the
 * permission that lets Secrets Manager invoke the function for this secret only.
 */
export class RotatedMachine extends Construct {
  /** The machine secret: JSON `{ "machineId": "mch_…", "secretKey": "ak_…", … }`. */
  readonly secret: secretsmanager.ISecret;
  /** The Clerk machine id, when known (always for `addMachine`). */
  readonly machineId: string | undefined;
  /** The rotation schedule (L1, so that no extra grants or permissions are added). */
  readonly rotationSchedule: secretsmanager.CfnRotationSchedule;
  /** Lets secretsmanager.amazonaws.com invoke the function for this secret, from this account only. */
  readonly invokePermission: lambda.CfnPermission;

  constructor(scope: Construct, id: string, props: RotatedMachineProps) {
    super(scope, id);
    this.machineId = props.machineId;
    this.secret = typeof props.secret === 'function' ? props.secret(this) : props.secret;

    // CDK's grantInvoke for a service principal adds no aws:SourceAccount condition (aws-cdk#28406); write our own.
    this.invokePermission = new lambda.CfnPermission(this, 'InvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: props.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      sourceArn: secretArnPattern(this.secret),
    });

    this.rotationSchedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: secretIdOf(this.secret),
      rotationLambdaArn: props.rotationFunction.functionArn,
      rotationRules: props.rotationRules,
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate,
    });
    // Configuring rotation runs testSecret (or a whole rotation): the function must be invocable and allowed by then.
    this.rotationSchedule.node.addDependency(this.invokePermission, ...props.dependsOn);
  }

  /** Lets `grantee` read the machine key (GetSecretValue, DescribeSecret, and KMS decrypt when a key is used). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
