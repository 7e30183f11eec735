import { Annotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvVar, Limits, PACKAGE_NAME } from '../lib/constants.ts';
import { type AlarmedMetric, addErrorsAlarm, addMetricAlarms } from './alarms.ts';
import type { ClerkMachineKeyRotatorProps } from './ClerkMachineKeyRotatorProps.ts';
import { createMachineSecret } from './createMachineSecret.ts';
import { createRotatorFunction } from './createRotatorFunction.ts';
import { rotationEnvironment, verificationEnvironment } from './functionEnvironment.ts';
import type { ExistingMachineSecretOptions, MachineOptions } from './MachineOptions.ts';
import { RotatedMachine } from './RotatedMachine.ts';
import { instanceOf, RotatorBudget } from './RotatorBudget.ts';
import { RotatorVerification } from './RotatorVerification.ts';
import {
  checkVerificationInterval,
  ROTATION_FUNCTION_TIMEOUT,
  type RotatorSettings,
  resolveRotatorSettings,
} from './resolveRotatorSettings.ts';
import { createRotationFailureRule, matchSecret } from './rotationFailureRule.ts';
import { SecretGrants } from './SecretGrants.ts';
import { secretIdOf } from './secretArns.ts';
import { protectRotatorTags, rotateRecordTaggingStatement, tagProtectionPrincipals } from './tagProtection.ts';
import { RotatorPropsError, validateMachineId, validateSeconds, validateSecretName, ZERO } from './validation.ts';

/** The only Secrets Manager actions the rotation steps need on a machine secret. */
export const MACHINE_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/**
 * Each machine adds one statement to the function's resource policy, which Lambda caps at 20 KB (about 50 such
 * statements); warn well before.
 */
const MACHINES_PER_FUNCTION_WARNING = 40;

/**
 * Keeps Clerk machine secret keys rotated in Secrets Manager: one rotation function (`lambda/rotate.ts`) shared by
 * any number of machine secrets, each with its own rotation schedule; a scheduled verification
 * (`lambda/verify.ts`) that finds and heals drift; alarms for failed rotations and every failure the functions
 * report.
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
  /** Receives failed rotations, function errors and every alarm. */
  readonly alarmTopic: sns.ITopic;
  /** RotationFailed / RotationAbandoned / TestRotationFailed of this rotator's secrets → `alarmTopic`. */
  readonly rotationFailureRule: events.Rule;
  /** The rotation function's Errors metric ≥ 1 in 5 minutes → `alarmTopic`. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** One alarm per metric that signals trouble (lib/constants.ts `Metric`), → `alarmTopic`. */
  readonly metricAlarms: Readonly<Partial<Record<AlarmedMetric, cloudwatch.Alarm>>>;
  /** The scheduled verification; undefined when `verification.enabled` is false. */
  readonly verification: RotatorVerification | undefined;

  private readonly props: ClerkMachineKeyRotatorProps;
  private readonly settings: RotatorSettings;
  private readonly rotatedMachines: RotatedMachine[] = [];
  private readonly machineIds = new Set<string>();
  private readonly rotationGrants: SecretGrants;
  private readonly allowedInstanceKeyIds: string[] = [];
  private readonly budget: RotatorBudget;

  constructor(scope: Construct, id: string, props: ClerkMachineKeyRotatorProps) {
    super(scope, id);
    this.props = props;
    // Validation first: nothing is created for invalid props.
    this.settings = resolveRotatorSettings(this, props);
    const shared = this.settings.functions;
    const allowedInstanceKeySecretIds = Lazy.string({ produce: () => this.allowedInstanceKeyIds.join(',') });
    const common = {
      instanceKeySecretId: secretIdOf(props.instanceKeySecret),
      allowedInstanceKeySecretIds,
      clerkApiUrl: this.settings.clerkApiUrl,
      logLevel: shared.logLevel,
      rotateLandingHorizonSeconds: this.settings.rotateLandingHorizonSeconds,
      previousKeyTtlSeconds: this.settings.previousKeyTtlSeconds,
      minRotationIntervalSeconds: this.settings.minRotationIntervalSeconds,
    };

    const rotation = createRotatorFunction(this, '', shared, {
      name: 'rotate',
      description: `Rotates Clerk machine secret keys in Secrets Manager (${PACKAGE_NAME})`,
      timeout: ROTATION_FUNCTION_TIMEOUT,
      environment: {
        ...rotationEnvironment(common),
        ...this.notifyEnvironment(),
      },
      code: props.code,
    });
    // No reserved concurrency: Secrets Manager's rotations throttle or loop below a concurrency of 10.
    this.rotationFunction = rotation.fn;
    this.role = rotation.role;
    this.logGroup = rotation.logGroup;
    this.rotationGrants = this.grantRotation();

    this.alarmTopic =
      props.alarmTopic ??
      new sns.Topic(this, 'AlarmTopic', { displayName: 'Clerk machine key rotation alarms', enforceSSL: true });
    this.rotationFailureRule = createRotationFailureRule(this, 'RotationFailureRule', this.alarmTopic);
    this.errorsAlarm = addErrorsAlarm(
      this,
      this.rotationFunction,
      { meaning: 'The Clerk machine key rotation function failed', runbookEntry: 'RotationFunctionErrors' },
      this.alarmTopic,
    );
    const rotationAlarms = addMetricAlarms(this, 'rotation', this.rotationFunction, this.alarmTopic);

    const verificationSettings = this.settings.verification;
    this.verification =
      verificationSettings === undefined
        ? undefined
        : new RotatorVerification(this, 'Verification', {
            shared,
            settings: verificationSettings,
            environment: verificationEnvironment({
              ...common,
              ...verificationSettings,
              rotationFunctionArn: this.rotationFunction.functionArn,
              clerkRateLimit: this.settings.clerkRateLimit,
            }),
            rotationFunction: this.rotationFunction,
            alarmTopic: this.alarmTopic,
            code: props.verification?.code,
          });
    this.metricAlarms = { ...rotationAlarms, ...this.verification?.metricAlarms };
    this.allowInstanceKey(props.instanceKeySecret);
    this.budget = new RotatorBudget(this, 'RateBudget', this.settings);

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
   * Creates a machine secret holding `{"machineId": "mch_…"}`, tagged `clerk-rotator:machine-id`, and rotates it.
   * CDK cannot know the machine's current `ak_` key and never puts one in the template: seed the secret after the
   * first deploy (docs/deploy.md); until then its rotations fail, loudly.
   */
  addMachine(id: string, options: MachineOptions): RotatedMachine {
    const property = `addMachine(${id})`;
    validateMachineId(`${property}.machineId`, options.machineId);
    if (options.secretName !== undefined) validateSecretName(`${property}.secretName`, options.secretName);
    const ttlSeconds = this.optionalSeconds(
      `${property}.previousKeyTtl`,
      options.previousKeyTtl,
      Limits.previousKeyTtlSeconds.max,
    );
    if (ttlSeconds !== undefined)
      checkVerificationInterval(`${property}.previousKeyTtl`, ttlSeconds, this.settings.verification);
    const intervalSeconds = this.optionalSeconds(
      `${property}.minRotationInterval`,
      options.minRotationInterval,
      Limits.minRotationIntervalSeconds.max,
    );
    this.claimMachineId(property, options.machineId);

    const machine = this.addRotatedMachine(id, options.machineId, options.instanceKeySecret, (scope) => {
      const secret = createMachineSecret(scope, options, {
        encryptionKey: this.props.encryptionKey,
        replicaRegions: this.props.replicaRegions,
        previousKeyTtlSeconds: ttlSeconds,
        minRotationIntervalSeconds: intervalSeconds,
      });
      if (this.props.protectTags ?? true) {
        protectRotatorTags(secret, tagProtectionPrincipals(Stack.of(this), this.props.tagAdmins, [this.role.roleArn]));
      }
      return secret;
    });
    if (options.instanceKeySecret !== undefined) this.allowInstanceKey(options.instanceKeySecret);
    return machine;
  }

  /**
   * Rotates a secret created elsewhere (e.g. seeded by hand or by the CLI). Its value must already be
   * `{"machineId": "mch_…", "secretKey": "ak_…"}` and it must carry the tag `clerk-rotator:machine-id` with that
   * id; per-secret overrides are its own tags. A customer-managed key must be given as the secret's `encryptionKey`
   * (`Secret.fromSecretAttributes`) for the functions to be allowed to use it.
   */
  addExistingMachineSecret(
    id: string,
    secret: secretsmanager.ISecret,
    options: ExistingMachineSecretOptions = {},
  ): RotatedMachine {
    const property = `addExistingMachineSecret(${id})`;
    if (options.machineId !== undefined) validateMachineId(`${property}.machineId`, options.machineId);
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
    if (options.machineId !== undefined) this.claimMachineId(property, options.machineId);
    const machine = this.addRotatedMachine(id, options.machineId, options.instanceKeySecret, secret);
    if (options.instanceKeySecret !== undefined) this.allowInstanceKey(options.instanceKeySecret);
    return machine;
  }

  private addRotatedMachine(
    id: string,
    machineId: string | undefined,
    instanceKeySecret: secretsmanager.ISecret | undefined,
    secret: secretsmanager.ISecret | ((scope: Construct) => secretsmanager.ISecret),
  ): RotatedMachine {
    const path = `${this.node.path}/${id}`;
    const instance = instanceOf(instanceKeySecret ?? this.props.instanceKeySecret);
    const machine = new RotatedMachine(this, id, {
      secret,
      machineId,
      rotationFunction: this.rotationFunction,
      rotationRules: this.budget.addMachine(path, instance, machineId ?? path),
      rotateImmediatelyOnUpdate: this.props.rotateImmediatelyOnUpdate ?? false,
      dependsOn: [this.role],
    });
    this.rotationGrants.addMachineSecret(machine.secret);
    this.verification?.addMachineSecret(machine.secret);
    matchSecret(this.rotationFailureRule, machine.secret);
    this.rotatedMachines.push(machine);
    if (this.rotatedMachines.length === MACHINES_PER_FUNCTION_WARNING + 1) {
      Annotations.of(this).addWarningV2(
        `${PACKAGE_NAME}:manyMachines`,
        `More than ${MACHINES_PER_FUNCTION_WARNING} machines share one rotation function; each adds a statement to its resource policy, which Lambda limits to 20 KB (about 50 machines). Split them across rotators.`,
      );
    }
    return machine;
  }

  private optionalSeconds(property: string, value: Duration | undefined, maxSeconds: number): number | undefined {
    return value === undefined ? undefined : validateSeconds(property, value, ZERO, Duration.seconds(maxSeconds));
  }

  private claimMachineId(property: string, machineId: string): void {
    if (Token.isUnresolved(machineId)) return;
    if (this.machineIds.has(machineId)) {
      throw new RotatorPropsError(`${property}.machineId`, `must be unique in this rotator, got ${machineId} twice`);
    }
    this.machineIds.add(machineId);
  }

  /** Adds an instance-key secret to the allowlist (in the form the tag uses) and lets both functions read it. */
  private allowInstanceKey(secret: secretsmanager.ISecret): void {
    const secretId = secretIdOf(secret);
    if (!this.allowedInstanceKeyIds.includes(secretId)) this.allowedInstanceKeyIds.push(secretId);
    this.rotationGrants.addInstanceKeySecret(secret);
    this.verification?.addInstanceKeySecret(secret);
  }

  /**
   * The rotation role's statements on the secrets: the four rotation actions, rotate-record tags only, and (in a
   * separate policy, since the function depends on its role's default policy) RotateSecret, whose caller needs
   * lambda:InvokeFunction on the rotation function: a refused promotion starts the rotation that adopts Clerk's key.
   */
  private grantRotation(): SecretGrants {
    const grants = new SecretGrants(this.role, {
      machineSecret: MACHINE_SECRET_ACTIONS,
      machineSecretKey: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
    grants.addMachineStatement(rotateRecordTaggingStatement(), (statement) =>
      this.role.addToPrincipalPolicy(statement),
    );
    const restartPolicy = new iam.Policy(this, 'RestartPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.rotationFunction.functionArn] }),
      ],
    });
    grants.addMachineStatement(new iam.PolicyStatement({ actions: ['secretsmanager:RotateSecret'] }), (statement) =>
      restartPolicy.addStatements(statement),
    );
    const notifyFunctions = this.props.notifyFunctions ?? [];
    if (notifyFunctions.length > 0) {
      // Exactly these functions (unqualified), unlike grantInvoke, which adds `<arn>:*` for every version and alias.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: notifyFunctions.map((fn) => fn.functionArn),
        }),
      );
    }
    if (this.props.encryptionKey !== undefined) {
      grants.allowKeyUse(this.props.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']);
    }
    return grants;
  }

  private notifyEnvironment(): Record<string, string> {
    const notifyFunctions = this.props.notifyFunctions ?? [];
    if (notifyFunctions.length === 0) return {};
    return { [EnvVar.notifyFunctionArns]: notifyFunctions.map((fn) => fn.functionArn).join(',') };
  }
}
