import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ClerkMachineKeyRotator } from './ClerkMachineKeyRotator.ts';
import { RotatorPropsError } from './validation.ts';

export interface ExampleStackProps extends StackProps {
  /** Clerk machine ids to rotate, one secret each. */
  readonly machineIds: readonly string[];
  /** Name, partial ARN or complete ARN of the secret holding the Clerk instance key. */
  readonly instanceKeySecret: string;
  /** Pre-built rotation function code (tests); see {@link ClerkMachineKeyRotatorProps.code}. */
  readonly code?: lambda.Code;
  /** Pre-built verification function code (tests); see {@link VerificationOptions.code}. */
  readonly verificationCode?: lambda.Code;
}

/** The name every example machine secret gets: `clerk/machines/<machineId>`. */
export function exampleSecretName(machineId: string): string {
  return `clerk/machines/${machineId}`;
}

/** A complete secret ARN ends with a hyphen and the six random characters Secrets Manager adds. */
const COMPLETE_ARN = /^arn:[^:]+:secretsmanager:[^:]*:\d*:secret:.+-[A-Za-z0-9]{6}$/;

function importInstanceKeySecret(scope: Construct, nameOrArn: string): secretsmanager.ISecret {
  if (COMPLETE_ARN.test(nameOrArn)) return secretsmanager.Secret.fromSecretCompleteArn(scope, 'InstanceKey', nameOrArn);
  if (nameOrArn.startsWith('arn:')) return secretsmanager.Secret.fromSecretPartialArn(scope, 'InstanceKey', nameOrArn);
  return secretsmanager.Secret.fromSecretNameV2(scope, 'InstanceKey', nameOrArn);
}

/** The example deployment: one rotator, one secret per machine id, outputs for the seed step. */
export class ExampleStack extends Stack {
  readonly rotator: ClerkMachineKeyRotator;

  constructor(scope: Construct, id: string, props: ExampleStackProps) {
    super(scope, id, props);
    if (props.machineIds.length === 0) {
      throw new RotatorPropsError('machineIds', 'must name at least one Clerk machine id (-c machineIds=mch_a,mch_b)');
    }

    this.rotator = new ClerkMachineKeyRotator(this, 'Rotator', {
      instanceKeySecret: importInstanceKeySecret(this, props.instanceKeySecret),
      // In this repository the functions are bundled from lambda/*.ts at synthesis (esbuild is a dev dependency), so
      // `cdk synth` and `cdk watch` always deploy the code as it is, with no build step; an app using the published
      // package keeps the default, the prebuilt bundles.
      bundling: 'source',
      code: props.code,
      verification: { code: props.verificationCode },
    });
    for (const machineId of props.machineIds) {
      const machine = this.rotator.addMachine(machineId, { machineId, secretName: exampleSecretName(machineId) });
      new CfnOutput(this, `${machineId}SecretArn`, {
        description: `Secret of Clerk machine ${machineId}: seed it with {"machineId": "${machineId}", "secretKey": "ak_…"}`,
        value: machine.secret.secretArn,
      });
    }
    new CfnOutput(this, 'RotationFunctionName', { value: this.rotator.rotationFunction.functionName });
    new CfnOutput(this, 'RotationLogGroupName', { value: this.rotator.logGroup.logGroupName });
    if (this.rotator.verification !== undefined) {
      new CfnOutput(this, 'VerificationFunctionName', { value: this.rotator.verification.function.functionName });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe to receive failed rotations, function errors and every alarm',
      value: this.rotator.alarmTopic.topicArn,
    });
  }
}
