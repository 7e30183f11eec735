import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildExampleApp,
  DEFAULT_EXAMPLE_INSTANCE_KEY_SECRET,
  DEFAULT_EXAMPLE_MACHINE_IDS,
} from '../../infra/buildExampleApp.ts';
import type { ExampleStack } from '../../infra/ExampleStack.ts';
import { ROTATION_ENV_VARS, VERIFICATION_ENV_VARS } from '../../infra/functionEnvironment.ts';
import { LIST_SECRETS_FINDING } from '../../infra/RotatorVerification.ts';
import { EnvVar, TagKey } from '../../lib/constants.ts';
import {
  ACCOUNT,
  findCfnLint,
  inlineCode,
  newRotator,
  newStack,
  REGION,
  readJson,
  resourceProperties,
  runCfnLint,
} from './cdkTestSupport.ts';

/** The context `npx cdk synth` runs with: cdk.json's feature flags plus what a user passes with -c. */
const cdkJsonContext = (readJson(join(import.meta.dirname, '../../cdk.json')) as { context?: Record<string, unknown> })
  .context;
const INSTANCE_KEY_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:clerk/instance-secret-key-AbC123`;

type CfnResource = { Type: string; Properties: Record<string, unknown> };

/** Every option at once, for cfn-lint: VPC, KMS, replicas, overrides, imported secrets, cron with a window. */
function buildKitchenSinkStack(): Stack {
  const stack = newStack('KitchenSink');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const consumer = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: inlineCode(),
  });
  const rotator = newRotator(stack, {
    previousKeyTtl: Duration.hours(4),
    minRotationInterval: Duration.minutes(15),
    scheduleExpression: 'cron(0 2 ? * MON *)',
    rotationWindow: Duration.hours(4),
    rotateImmediatelyOnUpdate: true,
    encryptionKey: key,
    replicaRegions: ['us-east-1'],
    clerkApiUrl: 'https://api.clerk.com/v1',
    alarmTopic: new sns.Topic(stack, 'Ops', { enforceSSL: true }),
    notifyFunctions: [consumer],
    vpc,
    rotateLandingHorizon: Duration.minutes(5),
    clerkRateLimit: 1000,
    logLevel: 'warn',
    tagAdmins: [`arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*`],
    verification: {
      interval: Duration.minutes(15),
      heal: false,
      clerkRateShare: 0.2,
      pendingStuckAfter: Duration.hours(2),
    },
  });
  const api = rotator.addMachine('Api', {
    machineId: 'mch_api',
    secretName: 'clerk/machines/api',
    previousKeyTtl: Duration.hours(1),
    minRotationInterval: Duration.minutes(10),
    instanceKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Other', 'clerk/other-instance'),
  });
  api.grantRead(consumer);
  rotator.addExistingMachineSecret('ByName', secretsmanager.Secret.fromSecretNameV2(stack, 'ByNameSecret', 'legacy'));
  rotator.addExistingMachineSecret(
    'ByArn',
    secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'ByArnSecret',
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:x-AbC123`,
    ),
  );
  return stack;
}

describe('Example app: infra/app.ts with the real lambda/rotate.ts bundle', () => {
  let outdir: string;
  let stack: ExampleStack;
  let app: App;
  let template: Template;
  let bundlePath: string;
  let verifyBundlePath: string;

  beforeAll(() => {
    // Prepare: one app, bundled once, exactly as `npx cdk synth -c machineIds=… -c instanceKeySecret=…` builds it
    outdir = mkdtempSync(join(tmpdir(), 'clerk-rotator-cdk-'));
    app = new App({
      outdir,
      context: { ...cdkJsonContext, machineIds: 'mch_alpha, mch_beta', instanceKeySecret: INSTANCE_KEY_ARN },
    });
    stack = buildExampleApp(app);
    // Act: synthesis runs the cdk-nag plugin and fails on any unacknowledged violation
    app.synth();
    template = Template.fromJSON(
      readJson(join(outdir, `${stack.artifactId}.template.json`)) as Record<string, unknown>,
    );
    const bundleOf = (fn: lambda.IFunction) =>
      join(outdir, (fn.node.findChild('Code') as s3assets.Asset).assetPath, 'index.mjs');
    bundlePath = bundleOf(stack.rotator.rotationFunction);
    verifyBundlePath = bundleOf(stack.rotator.verification?.function as lambda.IFunction);
  }, 60_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('passes the cdk-nag AwsSolutions pack with no violation, error or warning; one acknowledgment, with its reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
    const acknowledgments = app.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .map((entry) => ({ path: construct.node.path, data: JSON.stringify(entry.data) })),
      );
    expect(acknowledgments).toHaveLength(1);
    expect(acknowledgments[0]?.path).toBe(stack.rotator.verification?.role.node.path);
    expect(acknowledgments[0]?.data).toContain(LIST_SECRETS_FINDING);
    expect(acknowledgments[0]?.data).toContain('secretsmanager:ListSecrets supports no resource-level permission');
  });

  it('runs a live AwsSolutions pack (it flags a topic that accepts plain-HTTP publishing)', () => {
    const control = new Stack(new App(), 'Control');
    new sns.Topic(control, 'Plain');

    const report = new AwsSolutionsChecks(control).validateScope(control);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual(['AwsSolutions-SNS3']);
  });

  it('with a VPC, reports only the AWS-managed ENI policy of each role, which the acknowledgment in docs/deploy.md clears', () => {
    // Prepare
    const vpcStack = newStack('WithVpc');
    const rotator = newRotator(vpcStack, { vpc: new ec2.Vpc(vpcStack, 'Vpc', { maxAzs: 1, natGateways: 1 }) });
    rotator.addMachine('Api', { machineId: 'mch_api' });
    const finding =
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaENIManagementAccess]';

    // Act
    const before = new AwsSolutionsChecks(vpcStack).validateScope(rotator);
    for (const role of [rotator.role, rotator.verification?.role as iam.IRole]) {
      Validations.of(role).acknowledge({
        id: finding,
        reason: 'Lambda needs these ENI actions to run in a VPC; AWS maintains the policy as Lambda changes.',
      });
    }
    const after = new AwsSolutionsChecks(vpcStack).validateScope(rotator);

    // Assess
    expect(before.violations.map((violation) => violation.ruleName)).toEqual([finding]);
    expect(before.violations[0]?.violatingResources).toHaveLength(2);
    expect(after.violations).toEqual([]);
    expect(readFileSync(join(import.meta.dirname, '../../docs/deploy.md'), 'utf8')).toContain(finding);
  });

  it('creates one secret per context machine id, named and tagged with TagKey.machineId', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as CfnResource[];

    expect(secrets.map((secret) => secret.Properties.Name)).toEqual([
      'clerk/machines/mch_alpha',
      'clerk/machines/mch_beta',
    ]);
    for (const secret of secrets) {
      const tags = secret.Properties.Tags as { Key: string; Value: string }[];
      expect(tags.map((tag) => tag.Key)).toEqual([TagKey.machineId]);
      expect(Object.values(TagKey)).toEqual(expect.arrayContaining(tags.map((tag) => tag.Key)));
    }
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
  });

  it('gives each function exactly the variables it reads (plus NODE_OPTIONS for source maps)', () => {
    for (const [fn, variables] of [
      [stack.rotator.rotationFunction, ROTATION_ENV_VARS],
      [stack.rotator.verification?.function as lambda.IFunction, VERIFICATION_ENV_VARS],
    ] as const) {
      const properties = resourceProperties(stack, fn, template);
      expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      const environment = properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(environment).sort()).toEqual([...variables, 'NODE_OPTIONS'].sort());
      expect(environment[EnvVar.instanceKeySecretId]).toBe(INSTANCE_KEY_ARN);
      expect(environment[EnvVar.allowedInstanceKeySecretIds]).toBe(INSTANCE_KEY_ARN);
      expect(environment.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('bundles lambda/rotate.ts as ESM with the AWS SDK inside', () => {
    const bundle = readFileSync(bundlePath, 'utf8');

    expect(existsSync(`${bundlePath}.map`)).toBe(true);
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(bundle).toContain('createRequire');
  });

  it('ships a rotation bundle that names every variable of its environment and every TagKey', () => {
    const bundle = readFileSync(bundlePath, 'utf8');

    for (const name of [...ROTATION_ENV_VARS, ...Object.values(TagKey)]) expect(bundle).toContain(name);
  });

  it('ships a bundle that loads as an ES module on plain Node and exports handler', () => {
    // A separate Node process: no vitest transform, the way Lambda loads it (and much faster for 300 kB).
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundlePath).href)}); console.log(typeof m.handler);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8' });

    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('function');
  });

  it('ships a verification bundle of lambda/verify.ts that loads on plain Node and exports handler', () => {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(verifyBundlePath).href)}); console.log(typeof m.handler);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8' });

    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('function');
    expect(existsSync(`${verifyBundlePath}.map`)).toBe(true);
    for (const name of VERIFICATION_ENV_VARS) expect(readFileSync(verifyBundlePath, 'utf8')).toContain(name);
  });

  describe('context', () => {
    it('defaults so that `cdk synth` works on a clean clone', () => {
      const defaults = buildExampleApp(new App(), { code: inlineCode(), verificationCode: inlineCode() });
      const synthesized = Template.fromStack(defaults);

      synthesized.resourceCountIs('AWS::SecretsManager::Secret', DEFAULT_EXAMPLE_MACHINE_IDS.length);
      synthesized.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `clerk/machines/${DEFAULT_EXAMPLE_MACHINE_IDS[0]}`,
      });
      const fn = Object.values(synthesized.findResources('AWS::Lambda::Function'))[0] as CfnResource;
      expect(JSON.stringify(fn.Properties.Environment)).toContain(`:secret:${DEFAULT_EXAMPLE_INSTANCE_KEY_SECRET}`);
    });

    it('takes machine ids as a list (cdk.json) as well as a comma-separated string (-c)', () => {
      const fromList = buildExampleApp(new App({ context: { machineIds: ['mch_one', 'mch_two', 'mch_three'] } }), {
        code: inlineCode(),
        verificationCode: inlineCode(),
      });

      Template.fromStack(fromList).resourceCountIs('AWS::SecretsManager::Secret', 3);
    });

    it('rejects machine ids that are not Clerk machine ids', () => {
      expect(() =>
        buildExampleApp(new App({ context: { machineIds: 'mch_ok,nope' } }), {
          code: inlineCode(),
          verificationCode: inlineCode(),
        }),
      ).toThrow(/addMachine\(nope\)\.machineId must match/);
    });

    it('rejects an empty machine id list', () => {
      expect(() =>
        buildExampleApp(new App({ context: { machineIds: ' , ' } }), {
          code: inlineCode(),
          verificationCode: inlineCode(),
        }),
      ).toThrow(/machineIds must name at least one Clerk machine id/);
    });
  });

  describe('cfn-lint', () => {
    const cfnLint = findCfnLint();
    if (cfnLint === undefined) {
      console.warn(
        'cfn-lint not found on PATH or in ~/.pyenv/shims: the cfn-lint checks of the CDK templates are skipped',
      );
    }

    it.skipIf(cfnLint === undefined)(
      'finds no error in the example template nor in one using every option',
      () => {
        // Prepare
        const kitchenSink = join(outdir, 'KitchenSink.template.json');
        writeFileSync(kitchenSink, JSON.stringify(Template.fromStack(buildKitchenSinkStack()).toJSON()));
        const example = join(outdir, `${stack.artifactId}.template.json`);

        // Act
        const result = runCfnLint(cfnLint as string, [example, kitchenSink]);

        // Assess: 2 is cfn-lint's error bit; warnings (4) and notes (8) are printed, not failed on
        if (result.output.trim() !== '') console.info(`cfn-lint:\n${result.output}`);
        expect(result.status & 2, result.output).toBe(0);
        expect(result.status === 0 || result.status === 4 || result.status === 8 || result.status === 12).toBe(true);
      },
      60_000,
    );
  });
});
