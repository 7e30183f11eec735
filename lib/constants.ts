/**
 * Names that other parts of the product (the CDK construct, the CLI, the reader, users' own tooling) depend on.
 * Renaming any of these is a breaking change.
 */

export const PACKAGE_NAME = 'clerk-machine-key-rotator';
export const PACKAGE_VERSION = '0.1.0';

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
} as const;

/** Per-secret overrides, read from the rotated secret's tags. Tag values win over the environment. */
export const TagKey = {
  instanceKeySecretId: 'clerk-rotator:instance-key-secret-id',
  previousKeyTtlSeconds: 'clerk-rotator:previous-key-ttl-seconds',
  minRotationIntervalSeconds: 'clerk-rotator:min-rotation-interval-seconds',
  /** Informational: set by the CDK construct and the CLI so a secret can be found by machine. */
  machineId: 'clerk-rotator:machine-id',
} as const;

export const Defaults = {
  clerkApiUrl: 'https://api.clerk.com/v1',
  clerkApiVersion: '2026-05-12',
  /** Zero-downtime first: the maximum overlap Clerk allows. */
  previousKeyTtlSeconds: 28_800,
  minRotationIntervalSeconds: 300,
} as const;

export const Limits = {
  previousKeyTtlSeconds: { min: 0, max: 28_800 },
  /** 0 disables the guard; a day is the most that makes sense for a 4-hour-minimum schedule. */
  minRotationIntervalSeconds: { min: 0, max: 86_400 },
} as const;

/** `mch_` plus word characters; it goes into a URL path, so nothing else is allowed. */
export const MACHINE_ID_PATTERN = /^mch_[A-Za-z0-9]{1,64}$/;
export const MACHINE_KEY_PREFIX = 'ak_';
export const INSTANCE_KEY_PREFIXES = ['sk_live_', 'sk_test_'] as const;
