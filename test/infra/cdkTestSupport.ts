import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { ClerkMachineKeyRotator } from '../../infra/ClerkMachineKeyRotator.ts';
import type { ClerkMachineKeyRotatorProps } from '../../infra/ClerkMachineKeyRotatorProps.ts';
import type { RotatedMachine } from '../../infra/RotatedMachine.ts';
import { Defaults, EnvVar } from '../../lib/constants.ts';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const INSTANCE_KEY_NAME = 'clerk/instance-secret-key';

/** Stands in for the bundle in tests that do not need the real handler (bundling is slow). */
export const inlineCode = () => lambda.Code.fromInline('export const handler = async () => ({});');

export function newStack(id = 'Test'): Stack {
  return new Stack(new App(), id, { env: { account: ACCOUNT, region: REGION } });
}

/** A rotator with inline code for both functions (unless `props` says otherwise) and the instance key by name. */
export function newRotator(stack: Stack, props: Partial<ClerkMachineKeyRotatorProps> = {}): ClerkMachineKeyRotator {
  return new ClerkMachineKeyRotator(stack, 'Rotator', {
    instanceKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'InstanceKey', INSTANCE_KEY_NAME),
    code: inlineCode(),
    ...props,
    verification: { code: inlineCode(), ...props.verification },
  });
}

/** The variables both functions get, as the default rotator (`newRotator`) sets them. */
export function defaultSharedEnvironment(): Record<string, unknown> {
  return {
    [EnvVar.instanceKeySecretId]: partialSecretArn(INSTANCE_KEY_NAME),
    [EnvVar.allowedInstanceKeySecretIds]: partialSecretArn(INSTANCE_KEY_NAME),
    [EnvVar.clerkApiUrl]: Defaults.clerkApiUrl,
    [EnvVar.previousKeyTtlSeconds]: String(Defaults.previousKeyTtlSeconds),
    [EnvVar.minRotationIntervalSeconds]: String(Defaults.minRotationIntervalSeconds),
    [EnvVar.rotateLandingHorizonSeconds]: String(Defaults.rotateLandingHorizonSeconds),
    [EnvVar.logLevel]: 'info',
  };
}

/** A rotator `newRotator` made, its stack and template. */
export interface SynthesizedRotator {
  readonly stack: Stack;
  readonly rotator: ClerkMachineKeyRotator;
  readonly template: Template;
}

/**
 * The default rotator with one machine (`Api`, `mch_api`), synthesized on first use and shared by the tests of a
 * file that only read it (synthesis takes seconds).
 */
export function sharedDefaultRotator(): () => SynthesizedRotator {
  let built: SynthesizedRotator | undefined;
  return () => {
    if (built === undefined) {
      const stack = newStack();
      const rotator = newRotator(stack);
      rotator.addMachine('Api', { machineId: 'mch_api' });
      built = { stack, rotator, template: Template.fromStack(stack) };
    }
    return built;
  };
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

/** Synthesized CloudFormation, as untyped as `Template.findResources` returns it. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type; tests read it by path
type TemplateJson = Record<string, any>;

/** A resource's synthesized properties, found by its logical id. */
export function resourceProperties(
  stack: Stack,
  construct: IConstruct,
  template = Template.fromStack(stack),
): TemplateJson {
  const resource = construct.node.defaultChild ?? construct;
  const logicalId = stack.getLogicalId(resource as CfnElement);
  const found = (template.toJSON().Resources as Record<string, { Properties: TemplateJson }>)[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId} in the template`);
  return found.Properties;
}

/** A function's synthesized properties. */
export function functionProperties(
  stack: Stack,
  fn: lambda.IFunction,
  template = Template.fromStack(stack),
): TemplateJson {
  return resourceProperties(stack, fn, template);
}

/** The statements of an `iam.Policy` or a role's default policy, in order. */
export function policyStatements(stack: Stack, policy: IConstruct, template = Template.fromStack(stack)): unknown[] {
  return resourceProperties(stack, policy, template).PolicyDocument.Statement;
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The four rotation actions the rotation role has on every machine secret. */
export const MACHINE_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];
export const COMPLETE_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/machines/imported-AbC123`;

/** How the policies name a secret imported by name: its partial ARN and exactly six suffix characters. */
export function instanceKeyPolicyArn(name = INSTANCE_KEY_NAME): unknown {
  return partialSecretArn(`${name}-??????`);
}

/** The rotation role's default policy statements, in order. */
export function roleStatements(
  stack: Stack,
  rotator: ClerkMachineKeyRotator,
  template = Template.fromStack(stack),
): unknown[] {
  return policyStatements(stack, rotator.role.node.findChild('DefaultPolicy'), template);
}

/** The rotation function's environment variables, of the rotator `newRotator` created in the stack. */
export function functionEnvironment(stack: Stack, template = Template.fromStack(stack)): Record<string, unknown> {
  const rotator = stack.node.findChild('Rotator') as ClerkMachineKeyRotator;
  return functionProperties(stack, rotator.rotationFunction, template).Environment.Variables;
}

export interface TwoMachines {
  readonly stack: Stack;
  readonly rotator: ClerkMachineKeyRotator;
  readonly api: RotatedMachine;
  readonly worker: RotatedMachine;
  readonly template: Template;
}

/** The default configuration with two machines, synthesized on first use and shared by the tests that only read it. */
export function sharedTwoMachines(): () => TwoMachines {
  let built: TwoMachines | undefined;
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
}
