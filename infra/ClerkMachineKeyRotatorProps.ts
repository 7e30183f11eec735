import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** Construction properties of {@link ClerkMachineKeyRotator}. */
export interface ClerkMachineKeyRotatorProps {
  /**
   * The secret holding the Clerk instance secret key (`sk_live_…` / `sk_test_…`) that authorises key rotations at
   * Clerk. The function may read it (GetSecretValue only); its ARN is passed as `CLERK_SECRET_KEY_SECRET_ID`.
   */
  readonly instanceKeySecret: secretsmanager.ISecret;

  /**
   * How long Clerk keeps accepting the replaced key after a rotation: the overlap in which apps pick up the new key.
   * 0 to 8 hours, whole seconds. Per-machine override: {@link MachineOptions.previousKeyTtl}.
   *
   * @default - 8 hours, the maximum overlap Clerk allows (`Defaults.previousKeyTtlSeconds`)
   */
  readonly previousKeyTtl?: Duration;

  /**
   * Refuse to rotate a machine key at Clerk again within this interval of its last rotation, so that a retried or
   * repeated rotation cannot end the overlap apps still rely on. 0 (off) to 24 hours, whole seconds.
   *
   * @default - 5 minutes (`Defaults.minRotationIntervalSeconds`)
   */
  readonly minRotationInterval?: Duration;

  /**
   * Rotate every machine secret this often: whole hours from 4 to 23 (`rate(N hours)`) or whole days from 1 to 1000
   * (`rate(N days)`). The rotation window opens at midnight UTC. Cannot be combined with `scheduleExpression`.
   *
   * @default - every 30 days (`rate(30 days)`), unless `scheduleExpression` is given
   */
  readonly schedule?: Duration;

  /**
   * A Secrets Manager schedule expression, `rate(N hours|days)` or `cron(0 H D M W *)` (UTC; minutes must be 0, the
   * year `*`). Use `cron()` to choose when the window opens. Cannot be combined with `schedule`.
   *
   * @default - derived from `schedule`
   */
  readonly scheduleExpression?: string;

  /**
   * The length of the rotation window, in whole hours from 1 to 24 (Secrets Manager rotates at a random time inside
   * it). It must not run into the next rotation window or past the end of the UTC day.
   *
   * @default - Secrets Manager's default: the window closes at the end of the UTC day for a schedule in days, after
   *   one hour for a schedule in hours
   */
  readonly rotationWindow?: Duration;

  /**
   * Whether CloudFormation should rotate every machine secret when it creates or changes its rotation schedule.
   *
   * CDK's own `RotationSchedule` defaults this to `true`: every deploy that creates or changes a schedule then
   * rotates the key at Clerk (ending the previous key's life after the TTL, a surprise during an unrelated deploy),
   * and a secret not yet seeded fails its first rotation. With `false`, keys rotate only on the schedule or on demand
   * (`aws secretsmanager rotate-secret`), and configuring the schedule only runs the function's `testSecret` step.
   * Secrets Manager notes that with `rate()` schedules a rotation that was already due may still happen.
   *
   * @default false
   */
  readonly rotateImmediatelyOnUpdate?: boolean;

  /**
   * A customer-managed KMS key for the machine secrets created by `addMachine` (and the function's kms:Decrypt /
   * kms:GenerateDataKey on it, only via Secrets Manager). Imported secrets keep their own key: pass it as the
   * `ISecret`'s `encryptionKey`.
   *
   * @default - the AWS-managed key `aws/secretsmanager`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Regions to replicate the machine secrets created by `addMachine` to. A replica is encrypted with its
   * `ReplicaRegion.encryptionKey` (a key in that region) or, for a plain region name, with `aws/secretsmanager` of
   * that region. Rotation always happens in the primary region; replicas follow.
   *
   * @default - no replicas
   */
  readonly replicaRegions?: ReadonlyArray<string | secretsmanager.ReplicaRegion>;

  /**
   * Clerk's Backend API base URL (https only, no credentials, query or fragment), passed as `CLERK_API_URL`.
   *
   * @default https://api.clerk.com/v1
   */
  readonly clerkApiUrl?: string;

  /**
   * Where rotation failures and function errors are published. For an imported topic, its policy must let
   * `events.amazonaws.com` publish (CDK can only change the policy of a topic it creates).
   *
   * @default - a new SNS topic (TLS-only publishing); subscribe to `alarmTopic`
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How long the function's log group keeps events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Functions the rotation function invokes asynchronously (Event invocation) after each completed rotation; their
   * ARNs are passed as `ROTATION_NOTIFY_FUNCTION_ARNS` (comma-separated) and the function may invoke exactly these.
   *
   * @default - no notifications
   */
  readonly notifyFunctions?: readonly lambda.IFunction[];

  /**
   * The rotation function's log level (one JSON line per step at `info`).
   *
   * @default 'info'
   */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';

  /**
   * The function's instruction set architecture.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * A Node.js runtime of version 22 or newer.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Pre-built function code with an `index.handler` export, instead of bundling `lambda/rotate.ts` with esbuild.
   * Meant for tests and for pipelines that build the bundle themselves; the code must be this package's rotation
   * handler.
   *
   * @default - `lambda/rotate.ts` bundled as ESM with esbuild (AWS SDK included)
   */
  readonly code?: lambda.Code;

  /**
   * A VPC to run the function in. The function needs HTTPS egress to Clerk (a NAT gateway) and a route to Secrets
   * Manager (a `secretsmanager` interface endpoint or the NAT), and to KMS and Lambda when those are used.
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` to place the function.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups for the function in `vpc`.
   *
   * @default - a new security group allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Options of {@link ClerkMachineKeyRotator.addMachine}. */
export interface MachineOptions {
  /** The Clerk machine id, `mch_` followed by letters and digits. */
  readonly machineId: string;

  /**
   * The secret's name. Secrets Manager appends a hyphen and six random characters to the ARN.
   *
   * @default - a name generated by CloudFormation
   */
  readonly secretName?: string;

  /**
   * The secret's description.
   *
   * @default - "Clerk machine secret key for <machineId>, rotated by clerk-machine-key-rotator"
   */
  readonly description?: string;

  /**
   * Overrides the rotator's `previousKeyTtl` for this machine (0 to 8 hours), through the secret tag
   * `clerk-rotator:previous-key-ttl-seconds`.
   *
   * @default - the rotator's `previousKeyTtl`
   */
  readonly previousKeyTtl?: Duration;

  /**
   * Overrides the rotator's `minRotationInterval` for this machine (0 to 24 hours), through the secret tag
   * `clerk-rotator:min-rotation-interval-seconds`.
   *
   * @default - the rotator's `minRotationInterval`
   */
  readonly minRotationInterval?: Duration;

  /**
   * The instance-key secret of the Clerk instance this machine belongs to, when it is not the rotator's
   * `instanceKeySecret`; set through the secret tag `clerk-rotator:instance-key-secret-id`, and the function may read
   * it too.
   *
   * @default - the rotator's `instanceKeySecret`
   */
  readonly instanceKeySecret?: secretsmanager.ISecret;

  /**
   * What happens to the secret when it is removed from the stack or the stack is deleted. The secret holds a live
   * key, so it is kept by default.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Options of {@link ClerkMachineKeyRotator.addExistingMachineSecret}. */
export interface ExistingMachineSecretOptions {
  /**
   * The Clerk machine id the secret holds, for reference and validation only: the function reads the id from the
   * secret's value. Tag overrides on an imported secret are yours to set (`aws secretsmanager tag-resource`).
   *
   * @default - not recorded
   */
  readonly machineId?: string;
}
