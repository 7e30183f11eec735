/**
 * Names that other parts of the product (the CDK construct, the CLI, the reader, users' own tooling) depend on.
 * Renaming any of these is a breaking change.
 */

export const PACKAGE_NAME = 'clerk-machine-key-rotator';
export const PACKAGE_VERSION = '0.1.0';
/** Where the documentation lives for users who installed the package (links must work from node_modules). */
export const REPOSITORY_URL = 'https://github.com/clerk-machine-key-rotator/clerk-machine-key-rotator';
export const RUNBOOK_URL = `${REPOSITORY_URL}/blob/main/docs/runbook.md`;

/** Secrets Manager staging labels. */
export const Stage = {
  current: 'AWSCURRENT',
  pending: 'AWSPENDING',
  previous: 'AWSPREVIOUS',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

/** The four steps, exactly as Secrets Manager sends them (camelCase). */
export const RotationStep = {
  createSecret: 'createSecret',
  setSecret: 'setSecret',
  testSecret: 'testSecret',
  finishSecret: 'finishSecret',
} as const;
export type RotationStep = (typeof RotationStep)[keyof typeof RotationStep];
export const ROTATION_STEPS: readonly RotationStep[] = Object.values(RotationStep);

/** Environment variables the rotation Lambda reads. */
export const EnvVar = {
  instanceKeySecretId: 'CLERK_SECRET_KEY_SECRET_ID',
  clerkApiUrl: 'CLERK_API_URL',
  previousKeyTtlSeconds: 'PREVIOUS_KEY_TTL_SECONDS',
  minRotationIntervalSeconds: 'MIN_ROTATION_INTERVAL_SECONDS',
  /** Comma-separated Lambda ARNs invoked (asynchronously, best effort) after each finished rotation. */
  notifyFunctionArns: 'ROTATION_NOTIFY_FUNCTION_ARNS',
  logLevel: 'LOG_LEVEL',
  /** How long a rotate sent to Clerk may still land after it was sent (see docs/decisions/007). */
  rotateLandingHorizonSeconds: 'ROTATE_LANDING_HORIZON_SECONDS',
  /**
   * Comma-separated ARNs (or names) of the instance-key secrets a machine secret's
   * `clerk-rotator:instance-key-secret-id` tag may name; the construct fills it from `addMachine`.
   */
  allowedInstanceKeySecretIds: 'ALLOWED_INSTANCE_KEY_SECRET_IDS',
  // --- the verification function (lambda/verify.ts) ---
  /** The rotation function whose secrets the verification checks (secrets rotated by any other function are skipped). */
  rotationFunctionArn: 'ROTATION_FUNCTION_ARN',
  /** The Clerk instance's declared rate limit, requests per 10 seconds. */
  clerkRateLimitPer10Seconds: 'CLERK_RATE_LIMIT_PER_10_SECONDS',
  /** Share (0 < share ≤ 1) of that limit the verification may use; the rest is the apps'. */
  verifyClerkRateShare: 'VERIFY_CLERK_RATE_SHARE',
  /** An AWSPENDING version older than this on a non-current version is reported as stuck. */
  pendingStuckAfterSeconds: 'PENDING_STUCK_AFTER_SECONDS',
  /** "false" makes the verification report drift without starting a healing rotation. @default true */
  verifyHeal: 'VERIFY_HEAL',
} as const;

/** Per-secret overrides, read from the rotated secret's tags. Tag values win over the environment. */
export const TagKey = {
  instanceKeySecretId: 'clerk-rotator:instance-key-secret-id',
  previousKeyTtlSeconds: 'clerk-rotator:previous-key-ttl-seconds',
  minRotationIntervalSeconds: 'clerk-rotator:min-rotation-interval-seconds',
  /**
   * The binding of a secret to its Clerk machine: set by the CDK construct and `clerk-rotator init`; required by the
   * rotation function, which refuses a secret whose value names another machine.
   */
  machineId: 'clerk-rotator:machine-id',
} as const;

/**
 * The durable record of a rotate sent to Clerk: one tag per sending invocation, written before the request leaves,
 * key `clerk-rotator:rotate-sent:<writer id>`, value `<sent at, ISO-8601> <version id>`. Until the landing horizon
 * has passed (or the answer was stored in that version), nothing rotates again or adopts a changed key.
 */
export const ROTATE_RECORD_TAG_PREFIX = 'clerk-rotator:rotate-sent:';

/** The CloudWatch namespace of the functions' EMF metrics. */
export const METRIC_NAMESPACE = 'ClerkMachineKeyRotator';
/**
 * The one dimension of every metric: the emitting function's name (Lambda's AWS_LAMBDA_FUNCTION_NAME), so that two
 * rotators in one account and region alarm on their own metrics only.
 */
export const METRIC_DIMENSION = 'FunctionName';

/** CloudWatch metrics (EMF, namespace ClerkMachineKeyRotator) the construct alarms on. */
export const Metric = {
  overlapExpired: 'OverlapExpired',
  notificationFailed: 'RotationNotificationFailed',
  /** finishSecret found the pending key is no longer Clerk's current key and did not promote it. */
  promotionRefused: 'PromotionRefused',
  /** An emergency rotation (TTL 0) ended, but Clerk still accepts the replaced key. */
  oldKeyStillAccepted: 'OldKeyStillAccepted',
  // --- verification, one per outcome ---
  inSync: 'VerificationInSync',
  driftFound: 'DriftFound',
  driftHealed: 'DriftHealed',
  healFailed: 'HealFailed',
  currentKeyRejected: 'CurrentKeyRejected',
  pendingStuck: 'PendingStuck',
  verificationFailed: 'VerificationFailed',
} as const;
export type Metric = (typeof Metric)[keyof typeof Metric];

export const Defaults = {
  clerkApiUrl: 'https://api.clerk.com/v1',
  clerkApiVersion: '2026-05-12',
  /** Zero-downtime first: the maximum overlap Clerk allows. */
  previousKeyTtlSeconds: 28_800,
  /**
   * Counted from the later of the value's rotatedAt and LastRotatedDate (when the last rotation finished): longer
   * than a default reader can serve a key after that moment — maxAge with jitter (330 s) plus its stale window on
   * Secrets Manager failures (900 s) — so no default reader serves the key a second rotation ends; and than the
   * landing horizon (test/integration/coherentDefaults.test.ts).
   */
  minRotationIntervalSeconds: 1_800,
  /** 120× the 5 s client timeout, 6× the 100 s that common proxies hold a request (docs/decisions/007). */
  rotateLandingHorizonSeconds: 600,
  verificationIntervalSeconds: 3_600,
  /** Clerk's development-instance limit: the conservative default; production instances allow 1000. */
  clerkRateLimitPer10Seconds: 100,
  verifyClerkRateShare: 0.1,
  pendingStuckAfterSeconds: 3_600,
} as const;

export const Limits = {
  previousKeyTtlSeconds: { min: 0, max: 28_800 },
  /** 0 disables the guard; a day is the most that makes sense for a 4-hour-minimum schedule. */
  minRotationIntervalSeconds: { min: 0, max: 86_400 },
  rotateLandingHorizonSeconds: { min: 10, max: 3_600 },
} as const;

/** `mch_` plus word characters; it goes into a URL path, so nothing else is allowed. */
export const MACHINE_ID_PATTERN = /^mch_[A-Za-z0-9]{1,64}$/;
export const MACHINE_KEY_PREFIX = 'ak_';
export const INSTANCE_KEY_PREFIXES = ['sk_live_', 'sk_test_'] as const;
/**
 * What a key may contain after its prefix. Clerk documents no format for the secrets themselves (only `ak_` + 32 hex
 * for API key ids), so this admits letters, digits, `_` and `-`: everything a bearer token in a header can safely
 * carry. CR, LF, NUL, spaces and other characters are refused where the key is parsed, never sent.
 */
export const KEY_BODY_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
/** The longest key the patterns admit (prefix included); used to size the next value before rotating. */
export const MAX_KEY_LENGTH = 8 + 256;
/** Secrets Manager's limit on a SecretString, in bytes. */
export const MAX_SECRET_VALUE_BYTES = 65_536;
