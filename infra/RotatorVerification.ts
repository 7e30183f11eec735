import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PACKAGE_NAME } from '../lib/constants.ts';
import { type AlarmedMetric, addAlarm, addErrorsAlarm, addMetricAlarms } from './alarms.ts';
import { createRotatorFunction, type SharedFunctionSettings } from './createRotatorFunction.ts';
import type { VerificationEnvironment } from './functionEnvironment.ts';
import type { VerificationSettings } from './resolveRotatorSettings.ts';
import { SecretGrants } from './SecretGrants.ts';

/** The Secrets Manager actions the verification function needs on a machine secret. */
export const VERIFICATION_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:RotateSecret',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/** A run over many secrets may take long; it continues itself asynchronously before the timeout. */
const VERIFICATION_TIMEOUT = Duration.minutes(15);

/** cdk-nag's finding for a `*` resource, acknowledged for ListSecrets only (its own statement). */
export const LIST_SECRETS_FINDING = 'AwsSolutions-IAM5[Resource::*]';

/** What {@link RotatorVerification} is built from; assembled by {@link ClerkMachineKeyRotator}. */
export interface RotatorVerificationProps {
  readonly shared: SharedFunctionSettings;
  readonly settings: VerificationSettings;
  readonly environment: VerificationEnvironment;
  readonly rotationFunction: lambda.IFunction;
  readonly alarmTopic: sns.ITopic;
  readonly code?: lambda.Code;
}

/**
 * The scheduled verification: a function (`lambda/verify.ts`, its own role and log group) run by an EventBridge
 * schedule, allowed to list secrets, read the machine and instance-key secrets, start rotations and clear a stuck
 * AWSPENDING, plus alarms on its errors, its failed schedule deliveries and the trouble it reports.
 */
export class RotatorVerification extends Construct {
  /** The verification function. */
  readonly function: lambda.Function;
  /** Its execution role. */
  readonly role: iam.Role;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;
  /** The EventBridge rule that runs it every `verification.interval`. */
  readonly schedule: events.Rule;
  /** The function's Errors ≥ 1 in 5 minutes → the alarm topic. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** The schedule's FailedInvocations ≥ 1 in 5 minutes (EventBridge could not invoke the function). */
  readonly scheduleFailedAlarm: cloudwatch.Alarm;
  /** One alarm per trouble metric the verification emits. */
  readonly metricAlarms: Partial<Record<AlarmedMetric, cloudwatch.Alarm>>;

  private readonly grants: SecretGrants;

  constructor(scope: Construct, id: string, props: RotatorVerificationProps) {
    super(scope, id);
    const created = createRotatorFunction(this, '', props.shared, {
      name: 'verify',
      description: `Verifies Clerk machine secret keys against Clerk and heals drift (${PACKAGE_NAME})`,
      timeout: VERIFICATION_TIMEOUT,
      environment: props.environment,
      code: props.code,
      // A failed run is reported (Errors alarm) and the next scheduled run starts over; Lambda's own retries would
      // spend the Clerk rate share again.
      retryAttempts: 0,
    });
    this.function = created.fn;
    this.role = created.role;
    this.logGroup = created.logGroup;

    // ListSecrets has no resource type: it cannot be scoped. Its own statement, so the acknowledgment covers it alone.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: LIST_SECRETS_FINDING,
      reason:
        'secretsmanager:ListSecrets supports no resource-level permission; the verification lists secrets to find those rotated by this rotator, and reads only the machine secrets it is granted.',
    });
    this.grants = new SecretGrants(this.role, {
      machineSecret: VERIFICATION_SECRET_ACTIONS,
      machineSecretKey: ['kms:Decrypt'],
    });
    // RotateSecret's caller needs lambda:InvokeFunction on the rotation function, and a long run invokes itself to
    // continue. A separate policy: the function depends on its role's default policy, which cannot name the function.
    new iam.Policy(this, 'InvokePolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [props.rotationFunction.functionArn, this.function.functionArn],
        }),
      ],
    });

    this.schedule = this.scheduleRuns(props.settings.intervalSeconds);
    this.errorsAlarm = addErrorsAlarm(
      this,
      this.function,
      { meaning: 'The Clerk machine key verification function failed', runbookEntry: 'VerificationFunctionErrors' },
      props.alarmTopic,
    );
    this.scheduleFailedAlarm = addAlarm(
      this,
      'ScheduleFailedAlarm',
      {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: this.schedule.ruleName },
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(5),
        }),
        meaning: 'EventBridge could not start the Clerk machine key verification',
        runbookEntry: 'VerificationScheduleFailed',
      },
      props.alarmTopic,
    );
    this.metricAlarms = addMetricAlarms(this, 'verification', this.function, props.alarmTopic);
  }

  /** Lets the verification check this machine secret. */
  addMachineSecret(secret: secretsmanager.ISecret): void {
    this.grants.addMachineSecret(secret);
  }

  /** Lets the verification read this instance-key secret. */
  addInstanceKeySecret(secret: secretsmanager.ISecret): void {
    this.grants.addInstanceKeySecret(secret);
  }

  /** A rate schedule, and an invoke permission for exactly that rule from this account (CDK's has no SourceAccount). */
  private scheduleRuns(intervalSeconds: number): events.Rule {
    const rule = new events.Rule(this, 'Schedule', {
      description: `Runs the Clerk machine key verification (${PACKAGE_NAME})`,
      schedule: events.Schedule.rate(Duration.seconds(intervalSeconds)),
    });
    rule.addTarget({ bind: () => ({ arn: this.function.functionArn }) });
    this.function.addPermission('ScheduleInvokePermission', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'),
      sourceArn: rule.ruleArn,
      sourceAccount: Stack.of(this).account,
    });
    return rule;
  }
}
