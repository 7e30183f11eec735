import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, Duration, RemovalPolicy, SecretValue, Stack, Tags, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Defaults, EnvVar, Limits, PACKAGE_NAME, TagKey } from '../lib/constants.ts';
import type {
  ClerkMachineKeyRotatorProps,
  ExistingMachineSecretOptions,
  MachineOptions,
} from './ClerkMachineKeyRotatorProps.ts';
import { RotatedMachine } from './RotatedMachine.ts';
import { buildRotationRules } from './rotationRules.ts';
import { secretArnPattern, secretIdOf } from './secretArns.ts';
import {
  RotatorPropsError,
  validateClerkApiUrl,
  validateMachineId,
  validateReplicaRegions,
  validateSeconds,
  validateSecretName,
  ZERO,
} from './validation.ts';

/** The only Secrets Manager actions the rotation function needs on a machine secret. */
export const MACHINE_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/** The rotation function's entry, next to this package's `infra/` folder (`.js` once compiled). */
const ENTRY_CANDIDATES = ['../lambda/rotate.ts', '../lambda/rotate.js'] as const;

/**
 * Each machine adds one statement to the function's resource policy, which Lambda caps at 20 KB (about 50 such
 * statements); warn well before.
 */
const MACHINES_PER_FUNCTION_WARNING = 40;

/** Lets `require` work inside the ESM bundle for the few CommonJS dependencies that call it. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __clerkRotatorCreateRequire } from 'node:module'; const require = __clerkRotatorCreateRequire(import.meta.url);";

const MIN_NODE_MAJOR = 22;

/** ec2:CreateNetworkInterface and friends, which a function in a VPC needs; nothing else. */
const VPC_MANAGED_POLICY = 'service-role/AWSLambdaENIManagementAccess';

function resolveEntry(): string | undefined {
  for (const candidate of ENTRY_CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

function validateRuntime(runtime: lambda.Runtime): void {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.NODEJS || !match || Number(match[1]) < MIN_NODE_MAJOR) {
    throw new RotatorPropsError('runtime', `must be Node.js ${MIN_NODE_MAJOR} or newer, got ${runtime.name}`);
  }
}

/**
 * Keeps Clerk machine secret keys rotated in Secrets Manager: one rotation function (bundled from
 * `lambda/rotate.ts`) shared by any number of machine secrets, each with its own rotation schedule, plus alarms
 * for failed rotations.
 *
 * @example
 * const rotator = new ClerkMachineKeyRotator(this, 'Rotator', {
 *   instanceKeySecret: secretsmanager.Secret.fromSecretNameV2(this, 'InstanceKey', 'clerk/instance-secret-key'),
 * });
 * const api = rotator.addMachine('Api', { machineId: 'mch_2abc' });
 * api.grantRead(apiFunction);
 */
export class ClerkMachineKeyRotator extends Construct {
  /** The rotation function. */
  readonly rotationFunction: lambda.Function;
  /** The rotation function's execution role. */
  readonly role: iam.Role;
  /** The rotation function's log group. */
  readonly logGroup: logs.LogGroup;
  /** Receives failed rotations and function errors. */
  readonly alarmTopic: sns.ITopic;
  /** RotationFailed / RotationAbandoned / TestRotationFailed of this rotator's secrets → `alarmTopic`. */
  readonly rotationFailureRule: events.Rule;
  /** The rotation function's Errors metric ≥ 1 in 5 minutes → `alarmTopic`. */
  readonly errorsAlarm: cloudwatch.Alarm;

  private readonly props: ClerkMachineKeyRotatorProps;
  private readonly rotationRules: secretsmanager.CfnRotationSchedule.RotationRulesProperty;
  private readonly rotatedMachines: RotatedMachine[] = [];
  private readonly machineIds = new Set<string>();
  private readonly machineSecretAccess: iam.PolicyStatement;
  private readonly instanceKeyAccess: iam.PolicyStatement;
  private readonly readableInstanceKeys = new Set<string>();
  private readonly keyStatements = new Map<kms.IKey, iam.PolicyStatement>();

  constructor(scope: Construct, id: string, props: ClerkMachineKeyRotatorProps) {
    super(scope, id);
    this.props = props;

    // --- validation first: nothing is created for invalid props ---
    const previousKeyTtlSeconds =
      props.previousKeyTtl === undefined
        ? Defaults.previousKeyTtlSeconds
        : validateSeconds(
            'previousKeyTtl',
            props.previousKeyTtl,
            ZERO,
            Duration.seconds(Limits.previousKeyTtlSeconds.max),
          );
    const minRotationIntervalSeconds =
      props.minRotationInterval === undefined
        ? Defaults.minRotationIntervalSeconds
        : validateSeconds(
            'minRotationInterval',
            props.minRotationInterval,
            ZERO,
            Duration.seconds(Limits.minRotationIntervalSeconds.max),
          );
    this.rotationRules = buildRotationRules(props);
    if (props.clerkApiUrl !== undefined) validateClerkApiUrl('clerkApiUrl', props.clerkApiUrl);
    if (props.replicaRegions !== undefined) {
      validateReplicaRegions(
        'replicaRegions',
        props.replicaRegions.map((replica) => (typeof replica === 'string' ? replica : replica.region)),
        Stack.of(this).region,
      );
    }
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    validateRuntime(runtime);
    const entry = props.code === undefined ? resolveEntry() : undefined;
    if (props.code === undefined && entry === undefined) {
      throw new RotatorPropsError(
        'code',
        `is required when the rotation handler is not next to this construct: none of ${ENTRY_CANDIDATES.join(', ')} exists relative to ${fileURLToPath(import.meta.url)}`,
      );
    }

    // --- the function ---
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    // Our own role: CDK's default attaches the AWS-managed AWSLambdaBasicExecutionRole (logs:* on every group).
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotates Clerk machine secret keys (${PACKAGE_NAME})`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc !== undefined) {
      // With a role of our own, Lambda's ENI permissions are ours to add; AWS maintains this policy as they change.
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(VPC_MANAGED_POLICY));
    }

    const environment: Record<string, string> = {
      [EnvVar.instanceKeySecretId]: secretIdOf(props.instanceKeySecret),
      [EnvVar.clerkApiUrl]: props.clerkApiUrl ?? Defaults.clerkApiUrl,
      [EnvVar.previousKeyTtlSeconds]: Tokenization.stringifyNumber(previousKeyTtlSeconds),
      [EnvVar.minRotationIntervalSeconds]: Tokenization.stringifyNumber(minRotationIntervalSeconds),
      [EnvVar.logLevel]: props.logLevel ?? 'info',
    };
    // The bundle ships a source map; Node only applies it to stack traces when asked.
    if (props.code === undefined) environment.NODE_OPTIONS = '--enable-source-maps';
    const notifyFunctions = props.notifyFunctions ?? [];
    if (notifyFunctions.length > 0) {
      environment[EnvVar.notifyFunctionArns] = notifyFunctions.map((fn) => fn.functionArn).join(',');
    }

    this.rotationFunction = new nodejs.NodejsFunction(this, 'Function', {
      description: `Rotates Clerk machine secret keys in Secrets Manager (${PACKAGE_NAME})`,
      runtime,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: 256,
      // A rotation step calls Secrets Manager and Clerk a few times, with retries bounded by the remaining time.
      timeout: Duration.seconds(60),
      // No reserved concurrency: Secrets Manager's rotations throttle or loop below a concurrency of 10.
      role: this.role,
      logGroup: this.logGroup,
      environment,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      ...(props.code !== undefined
        ? { code: props.code, handler: 'index.handler' }
        : {
            entry,
            handler: 'handler',
            bundling: {
              format: nodejs.OutputFormat.ESM,
              mainFields: ['module', 'main'],
              banner: ESM_REQUIRE_BANNER,
              // Bundle the SDK: the version the handler was tested with (PutSecretValue's RotationToken, retry
              // behaviour) instead of whatever the runtime ships that day; the cost is a larger, still small, asset.
              bundleAwsSDK: true,
              minify: true,
              sourceMap: true,
              sourcesContent: false,
            },
          }),
    });

    // Statements whose resources grow with each machine; attached to the role on first use.
    this.machineSecretAccess = new iam.PolicyStatement({ actions: [...MACHINE_SECRET_ACTIONS] });
    this.instanceKeyAccess = new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'] });
    this.role.addToPrincipalPolicy(this.instanceKeyAccess);
    this.allowInstanceKeyRead(props.instanceKeySecret);

    if (notifyFunctions.length > 0) {
      // Exactly these functions (unqualified), unlike grantInvoke, which adds `<arn>:*` for every version and alias.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: notifyFunctions.map((fn) => fn.functionArn),
        }),
      );
    }
    if (props.encryptionKey !== undefined)
      this.allowKeyUse(props.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']);

    // --- alarms ---
    this.alarmTopic =
      props.alarmTopic ??
      new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Clerk machine key rotation alarms',
        enforceSSL: true,
      });

    // Secrets Manager has no rotation-failure metric. Its CloudTrail service events reach the default event bus (best
    // effort: hence also the Errors alarm); AWS documents the trail requirement only for "AWS API Call" events.
    this.rotationFailureRule = new events.Rule(this, 'RotationFailureRule', {
      description: 'Failed or abandoned rotations of Clerk machine secrets',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] },
      },
    });
    this.rotationFailureRule.addTarget(
      new eventsTargets.SnsTopic(this.alarmTopic, {
        message: events.RuleTargetInput.fromText(
          `Secrets Manager reported ${events.EventField.fromPath('$.detail.eventName')} for ${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} at ${events.EventField.time} (account ${events.EventField.account}, ${events.EventField.region}). The rotation function's log group has the cause; see docs/deploy.md of ${PACKAGE_NAME}.`,
        ),
      }),
    );

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `The Clerk machine key rotation function failed (${PACKAGE_NAME}); see its log group`,
      metric: this.rotationFunction.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));

    this.node.addValidation({
      validate: () =>
        this.rotatedMachines.length === 0
          ? ['ClerkMachineKeyRotator has no machines: call addMachine() or addExistingMachineSecret()']
          : [],
    });
  }

  /** The machines added so far. */
  get machines(): readonly RotatedMachine[] {
    return [...this.rotatedMachines];
  }

  /**
   * Creates a machine secret holding `{"machineId": "mch_…"}` and rotates it. CDK cannot know the machine's current
   * `ak_` key and never puts one in the template: seed the secret after the first deploy (docs/deploy.md); until
   * then its rotations fail, loudly.
   */
  addMachine(id: string, options: MachineOptions): RotatedMachine {
    const property = `addMachine(${id})`;
    validateMachineId(`${property}.machineId`, options.machineId);
    this.claimMachineId(property, options.machineId);
    if (options.secretName !== undefined) validateSecretName(`${property}.secretName`, options.secretName);
    const ttlSeconds =
      options.previousKeyTtl === undefined
        ? undefined
        : validateSeconds(
            `${property}.previousKeyTtl`,
            options.previousKeyTtl,
            ZERO,
            Duration.seconds(Limits.previousKeyTtlSeconds.max),
          );
    const intervalSeconds =
      options.minRotationInterval === undefined
        ? undefined
        : validateSeconds(
            `${property}.minRotationInterval`,
            options.minRotationInterval,
            ZERO,
            Duration.seconds(Limits.minRotationIntervalSeconds.max),
          );

    const replicaRegions = this.props.replicaRegions?.map((replica) =>
      typeof replica === 'string' ? { region: replica } : replica,
    );
    const machine = this.addRotatedMachine(id, options.machineId, (scope) => {
      const secret = new secretsmanager.Secret(scope, 'Secret', {
        secretName: options.secretName,
        description:
          options.description ?? `Clerk machine secret key for ${options.machineId}, rotated by ${PACKAGE_NAME}`,
        // Only the machine id, never a key: the operator seeds the current key after deploying.
        secretObjectValue: { machineId: SecretValue.unsafePlainText(options.machineId) },
        encryptionKey: this.props.encryptionKey,
        replicaRegions,
        removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      Tags.of(secret).add(TagKey.machineId, options.machineId);
      if (ttlSeconds !== undefined) {
        Tags.of(secret).add(TagKey.previousKeyTtlSeconds, Tokenization.stringifyNumber(ttlSeconds));
      }
      if (intervalSeconds !== undefined) {
        Tags.of(secret).add(TagKey.minRotationIntervalSeconds, Tokenization.stringifyNumber(intervalSeconds));
      }
      if (options.instanceKeySecret !== undefined) {
        Tags.of(secret).add(TagKey.instanceKeySecretId, secretIdOf(options.instanceKeySecret));
      }
      return secret;
    });
    if (options.instanceKeySecret !== undefined) this.allowInstanceKeyRead(options.instanceKeySecret);
    return machine;
  }

  /**
   * Rotates a secret created elsewhere (e.g. seeded by hand or by the CLI). Its value must already be
   * `{"machineId": "mch_…", "secretKey": "ak_…"}`; per-secret overrides are its own tags. A customer-managed key
   * must be given as the secret's `encryptionKey` (`Secret.fromSecretAttributes`) for the function to be allowed
   * to use it.
   */
  addExistingMachineSecret(
    id: string,
    secret: secretsmanager.ISecret,
    options: ExistingMachineSecretOptions = {},
  ): RotatedMachine {
    const property = `addExistingMachineSecret(${id})`;
    if (options.machineId !== undefined) {
      validateMachineId(`${property}.machineId`, options.machineId);
      this.claimMachineId(property, options.machineId);
    }
    const stack = Stack.of(this);
    for (const [what, theirs, ours] of [
      ['account', secret.env.account, stack.account],
      ['region', secret.env.region, stack.region],
    ] as const) {
      if (!Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours) {
        throw new RotatorPropsError(
          `${property}.secret`,
          `must be in the stack's ${what} (${ours}), got a secret in ${theirs}: ${secret.secretArn}`,
        );
      }
    }
    return this.addRotatedMachine(id, options.machineId, secret);
  }

  private addRotatedMachine(
    id: string,
    machineId: string | undefined,
    secret: secretsmanager.ISecret | ((scope: Construct) => secretsmanager.ISecret),
  ): RotatedMachine {
    const machine = new RotatedMachine(this, id, {
      secret,
      machineId,
      rotationFunction: this.rotationFunction,
      rotationRules: this.rotationRules,
      rotateImmediatelyOnUpdate: this.props.rotateImmediatelyOnUpdate ?? false,
      dependsOn: [this.role],
    });
    if (this.rotatedMachines.length === 0) this.role.addToPrincipalPolicy(this.machineSecretAccess);
    this.machineSecretAccess.addResources(secretArnPattern(machine.secret));
    if (machine.secret.encryptionKey !== undefined) {
      this.allowKeyUse(machine.secret.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']);
    }
    this.rotationFailureRule.addEventPattern({
      detail: {
        additionalEventData: {
          SecretId:
            machine.secret.secretFullArn !== undefined
              ? [machine.secret.secretFullArn]
              : events.Match.prefix(`${machine.secret.secretArn}-`),
        },
      },
    });
    this.rotatedMachines.push(machine);
    if (this.rotatedMachines.length === MACHINES_PER_FUNCTION_WARNING + 1) {
      Annotations.of(this).addWarningV2(
        `${PACKAGE_NAME}:manyMachines`,
        `More than ${MACHINES_PER_FUNCTION_WARNING} machines share one rotation function; each adds a statement to its resource policy, which Lambda limits to 20 KB (about 50 machines). Split them across rotators.`,
      );
    }
    return machine;
  }

  private claimMachineId(property: string, machineId: string): void {
    if (Token.isUnresolved(machineId)) return;
    if (this.machineIds.has(machineId)) {
      throw new RotatorPropsError(`${property}.machineId`, `must be unique in this rotator, got ${machineId} twice`);
    }
    this.machineIds.add(machineId);
  }

  private allowInstanceKeyRead(secret: secretsmanager.ISecret): void {
    const arn = secretArnPattern(secret);
    if (this.readableInstanceKeys.has(arn)) return;
    this.readableInstanceKeys.add(arn);
    this.instanceKeyAccess.addResources(arn);
    if (secret.encryptionKey !== undefined) this.allowKeyUse(secret.encryptionKey, ['kms:Decrypt']);
  }

  /** KMS only through Secrets Manager in this region (kms:ViaService), never directly; one statement per key. */
  private allowKeyUse(key: kms.IKey, actions: readonly string[]): void {
    const existing = this.keyStatements.get(key);
    if (existing !== undefined) {
      existing.addActions(...actions.filter((action) => !existing.actions.includes(action)));
      return;
    }
    const statement = new iam.PolicyStatement({
      actions: [...actions],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
    });
    this.keyStatements.set(key, statement);
    this.role.addToPrincipalPolicy(statement);
  }
}
