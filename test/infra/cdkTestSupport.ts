import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClerkMachineKeyRotator } from '../../infra/ClerkMachineKeyRotator.ts';
import type { ClerkMachineKeyRotatorProps } from '../../infra/ClerkMachineKeyRotatorProps.ts';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const INSTANCE_KEY_NAME = 'clerk/instance-secret-key';

/** Stands in for the bundle in tests that do not need the real handler (bundling is slow). */
export const inlineCode = () => lambda.Code.fromInline('export const handler = async () => ({});');

export function newStack(id = 'Test'): Stack {
  return new Stack(new App(), id, { env: { account: ACCOUNT, region: REGION } });
}

export function newRotator(stack: Stack, props: Partial<ClerkMachineKeyRotatorProps> = {}): ClerkMachineKeyRotator {
  return new ClerkMachineKeyRotator(stack, 'Rotator', {
    instanceKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'InstanceKey', INSTANCE_KEY_NAME),
    code: inlineCode(),
    ...props,
  });
}

/** The partial ARN CDK renders for a secret imported by name in the test stack. */
export function partialSecretArn(name: string): unknown {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`]],
  };
}

/** cfn-lint on PATH or under pyenv (where the machine image installs it); undefined when absent. */
export function findCfnLint(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.pyenv', 'shims')];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'cfn-lint');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface CfnLintResult {
  /** cfn-lint's exit code: a bit mask, 2 = errors, 4 = warnings, 8 = informational. */
  readonly status: number;
  readonly output: string;
}

export function runCfnLint(cfnLint: string, templates: readonly string[]): CfnLintResult {
  const result = spawnSync(cfnLint, ['--format', 'parseable', '--', ...templates], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
