import { type App, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ExampleStack } from './ExampleStack.ts';
import { RotatorPropsError } from './validation.ts';

/** Used when `-c machineIds=…` is absent, so that `cdk synth` works on a clean clone. */
export const DEFAULT_EXAMPLE_MACHINE_IDS = ['mch_example'] as const;
/** Used when `-c instanceKeySecret=…` is absent. */
export const DEFAULT_EXAMPLE_INSTANCE_KEY_SECRET = 'clerk/instance-secret-key';
export const EXAMPLE_STACK_NAME = 'ClerkMachineKeyRotator';

function readMachineIds(app: App): readonly string[] {
  const raw: unknown = app.node.tryGetContext('machineIds');
  if (raw === undefined || raw === null || raw === '') return DEFAULT_EXAMPLE_MACHINE_IDS;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (list === undefined || !list.every((item) => typeof item === 'string')) {
    throw new RotatorPropsError(
      'context machineIds',
      `must be a comma-separated string or a list of strings, got ${JSON.stringify(raw)}`,
    );
  }
  return list.map((item) => item.trim()).filter((item) => item !== '');
}

function readInstanceKeySecret(app: App): string {
  const raw: unknown = app.node.tryGetContext('instanceKeySecret');
  if (raw === undefined || raw === null || raw === '') return DEFAULT_EXAMPLE_INSTANCE_KEY_SECRET;
  if (typeof raw !== 'string') {
    throw new RotatorPropsError(
      'context instanceKeySecret',
      `must be a secret name or ARN, got ${JSON.stringify(raw)}`,
    );
  }
  return raw.trim();
}

export interface BuildExampleAppOptions {
  /** Pre-built rotation function code instead of bundling (tests only). */
  readonly code?: lambda.Code;
  /** Pre-built verification function code instead of bundling (tests only). */
  readonly verificationCode?: lambda.Code;
}

/**
 * The example app: reads `machineIds` and `instanceKeySecret` from the context, builds the stack and runs cdk-nag's
 * AwsSolutions checks on it at synthesis (a violation fails `cdk synth`). The construct acknowledges one finding
 * itself, with its reason (ListSecrets cannot be scoped); see docs/deploy.md for the ones optional features (a VPC)
 * bring.
 */
export function buildExampleApp(app: App, options: BuildExampleAppOptions = {}): ExampleStack {
  const stack = new ExampleStack(app, EXAMPLE_STACK_NAME, {
    description: 'Rotates Clerk machine secret keys in AWS Secrets Manager (clerk-machine-key-rotator example)',
    machineIds: readMachineIds(app),
    instanceKeySecret: readInstanceKeySecret(app),
    code: options.code,
    verificationCode: options.verificationCode,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
