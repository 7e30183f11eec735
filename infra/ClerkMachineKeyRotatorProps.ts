import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { FunctionBundling } from './functionCode.ts';
import type { VerificationOptions } from './VerificationOptions.ts';

/** Construction properties of {@link ClerkMachineKeyRotator}. */
export interface ClerkMachineKeyRotatorProps {
  /**
   * The secret holding the Clerk instance secret key (`sk_live_…` / `sk_test_…`) that authorises key rotations at
   * Clerk. The functions may read it (GetSecretValue only); its ARN is passed as `CLERK_SECRET_KEY_SECRET_ID` and is
   * the first entry of `ALLOWED_INSTANCE_KEY_SECRET_IDS`.
   */
  readonly instanceKeySecret: secretsmanager.ISecret;

  /**
   * How long Clerk keeps accepting the replaced key after a rotation: the overlap in which apps pick up the new key.
   * 0 to 8 hours, whole seconds; when positive, at least 4× `verification.interval`. Per-machine override:
   * {@link MachineOptions.previousKeyTtl}.
   *
   * @default - 8 hours, the maximum overlap Clerk allows (`Defaults.previousKeyTtlSeconds`)
   */
  readonly previousKeyTtl?: Duration;

  /**
   * Refuse to rotate a machine key at Clerk again within this interval of its last rotation, so that a retried or
   * repeated rotation cannot end the overlap apps still rely on. 0 (off) to 24 hours, whole seconds.
   *
   * @default - 15 minutes (`Defaults.minRotationIntervalSeconds`)
   */
  readonly minRotationInterval?: Duration;

  /**
   * How long a rotate request sent to Clerk may still land after it was sent (a request held by a proxy, a retry
   * in flight). Until then the functions neither rotate again nor adopt a changed key on the strength of that
   * record. Whole seconds, from 30 seconds (6× the function's 5-second Clerk request timeout) to 1 hour. Passed as
   * `ROTATE_LANDING_HORIZON_SECONDS`.
   *
   * @default - 10 minutes (`Defaults.rotateLandingHorizonSeconds`)
   */
  readonly rotateLandingHorizon?: Duration;

  /**
   * The Clerk instance's rate limit, in requests per 10 seconds, shared by every caller of the instance key. Clerk
   * allows 100 for a development instance and 1000 for a production instance; set 1000 for production. A whole
   * number from 1 to 100000. Passed as
   * `CLERK_RATE_LIMIT_PER_10_SECONDS`; the verification uses `verification.clerkRateShare` of it.
   *
   * @default 100 (`Defaults.clerkRateLimitPer10Seconds`, Clerk's development limit)
   */
  readonly clerkRateLimit?: number;

  /**
   * The share of `clerkRateLimit` kept for the apps' own Clerk traffic (M2M tokens created and verified): the rate
   * budget checked at synthesis requires the busiest 10 seconds of a month of rotations and verification (of this
   * rotator and every other one in the app on the same instance-key secret) to fit in the rest, fails synthesis when
   * they do not and warns from 80 % of it (docs/deploy.md, "Clerk rate budget"). From 0 to 0.99.
   *
   * @default 0.5 (`BudgetDefaults.appsShareOfRateLimit`)
   */
  readonly appsShareOfRateLimit?: number;

  /**
   * Spread the machines' rotation windows over the period instead of opening them all at once: each machine gets a
   * window-long slot chosen by a hash of its machine id (of its construct path for an adopted secret without
   * `machineId`), the same on every deploy whatever else is added. A schedule in hours becomes
   * `cron(0 o/N * * ? *)`, a daily one `cron(0 o * * ? *)`, a weekly one a weekday and hour; the cadence and window
   * length stay. Schedules of other numbers of days, `cron()` schedules and 24-hour daily windows stay as they are
   * (with a warning).
   *
   * @default false
   */
  readonly staggerWindows?: boolean;

  /**
   * The scheduled verification: a second function that compares each secret's AWSCURRENT key with Clerk's current
   * key, heals drift by starting a rotation, and reports rejected keys and stuck rotations.
   *
   * @default - enabled, every hour, healing, 10% of the Clerk rate limit
   */
  readonly verification?: VerificationOptions;

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
   * Principals, besides the rotator's functions and CloudFormation deployments, that may add, change or remove
   * `clerk-rotator:*` tags on the secrets `addMachine` creates, and change their resource policy: the operators who
   * run `clerk-rotator init` or `rotate --emergency`, a deployment role other than CDK's bootstrap role. Roles and
   * users by reference, or ARN patterns (`ArnLike`, e.g. an IAM Identity Center role
   * `arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_*`).
   *
   * @default - none
   */
  readonly tagAdmins?: ReadonlyArray<iam.IRole | iam.IUser | string>;

  /**
   * Whether each secret `addMachine` creates gets a resource policy that denies changing `clerk-rotator:*` tags (and
   * the policy itself) to everyone but the rotator's functions, CloudFormation and `tagAdmins`. The tags bind a
   * secret to its machine and Clerk instance, so they are part of the security boundary (docs/deploy.md, "Trust
   * model").
   *
   * @default true
   */
  readonly protectTags?: boolean;

  /**
   * Where rotation failures, function errors and every alarm are published. For an imported topic, its policy must let
   * `events.amazonaws.com` publish (CDK can only change the policy of a topic it creates).
   *
   * @default - a new SNS topic (TLS-only publishing); subscribe to `alarmTopic`
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How long each function's log group keeps events.
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
   * The functions' log level (`LOG_LEVEL`; one JSON line per step at `info`), and the matching Lambda JSON log
   * configuration: application logs filtered at this level but never above INFO (the metric lines are INFO), system
   * logs at this level (WARN at most).
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
   * Where the functions' code comes from. `'prebuilt'`: the bundles this package ships,
   * `dist/functions/<rotate|verify>/index.mjs` (with source maps), so `cdk synth` needs neither esbuild nor Docker;
   * in a source checkout, `npm run build` makes them. `'source'`: `lambda/<rotate|verify>.ts` bundled with esbuild
   * (a peer dependency) at synthesis, as ESM with the AWS SDK included.
   *
   * @default 'prebuilt'
   */
  readonly bundling?: FunctionBundling;

  /**
   * Pre-built code of the rotation function with an `index.handler` export, instead of `bundling`. Meant for tests
   * and for pipelines that build the bundle themselves; the code must be this package's rotation handler. The
   * verification function's counterpart is `verification.code`.
   *
   * @default - as `bundling` says
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
