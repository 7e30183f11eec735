import { Tokenization } from 'aws-cdk-lib';
import { EnvVar } from '../lib/constants.ts';

/**
 * The variables the rotation function (`lambda/rotate.ts`) reads, always set by the construct.
 * `ROTATION_NOTIFY_FUNCTION_ARNS` is read too, but set only when `notifyFunctions` are given.
 */
export const ROTATION_ENV_VARS = [
  EnvVar.instanceKeySecretId,
  EnvVar.allowedInstanceKeySecretIds,
  EnvVar.clerkApiUrl,
  EnvVar.previousKeyTtlSeconds,
  EnvVar.minRotationIntervalSeconds,
  EnvVar.rotateLandingHorizonSeconds,
  EnvVar.logLevel,
] as const;

/** The rotation function's optional variables: set only when the feature is used. */
export const ROTATION_OPTIONAL_ENV_VARS = [EnvVar.notifyFunctionArns] as const;

/**
 * The variables the verification function (`lambda/verify.ts`) reads, all set by the construct. It reads the
 * rotation function's settings with the same parser, so it gets the same values (TTL and minimum interval included)
 * and resolves each secret's settings exactly as the rotation function does.
 */
export const VERIFICATION_ENV_VARS = [
  EnvVar.instanceKeySecretId,
  EnvVar.allowedInstanceKeySecretIds,
  EnvVar.clerkApiUrl,
  EnvVar.previousKeyTtlSeconds,
  EnvVar.minRotationIntervalSeconds,
  EnvVar.logLevel,
  EnvVar.rotationFunctionArn,
  EnvVar.clerkRateLimitPer10Seconds,
  EnvVar.verifyClerkRateShare,
  EnvVar.pendingStuckAfterSeconds,
  EnvVar.rotateLandingHorizonSeconds,
  EnvVar.verifyHeal,
] as const;

export type RotationEnvironment = Record<(typeof ROTATION_ENV_VARS)[number], string>;
export type VerificationEnvironment = Record<(typeof VERIFICATION_ENV_VARS)[number], string>;

/**
 * Node applies the bundle's source map to stack traces only when asked; set on every function whose code the
 * construct builds or locates (not on `code` given by the user, whose bundle may have no map).
 */
export const SOURCE_MAP_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;

/** What both environments are built from; numbers may be tokens. */
export interface EnvironmentInput {
  readonly instanceKeySecretId: string;
  /** Comma-separated, usually a lazy value that grows as machines are added. */
  readonly allowedInstanceKeySecretIds: string;
  readonly clerkApiUrl: string;
  readonly logLevel: string;
  readonly rotateLandingHorizonSeconds: number;
  readonly previousKeyTtlSeconds: number;
  readonly minRotationIntervalSeconds: number;
}

export interface VerificationEnvironmentInput extends EnvironmentInput {
  readonly rotationFunctionArn: string;
  readonly clerkRateLimit: number;
  readonly clerkRateShare: number;
  readonly pendingStuckAfterSeconds: number;
  readonly heal: boolean;
}

function sharedEnvironment(input: EnvironmentInput) {
  return {
    [EnvVar.instanceKeySecretId]: input.instanceKeySecretId,
    [EnvVar.allowedInstanceKeySecretIds]: input.allowedInstanceKeySecretIds,
    [EnvVar.clerkApiUrl]: input.clerkApiUrl,
    [EnvVar.logLevel]: input.logLevel,
    [EnvVar.rotateLandingHorizonSeconds]: Tokenization.stringifyNumber(input.rotateLandingHorizonSeconds),
    [EnvVar.previousKeyTtlSeconds]: Tokenization.stringifyNumber(input.previousKeyTtlSeconds),
    [EnvVar.minRotationIntervalSeconds]: Tokenization.stringifyNumber(input.minRotationIntervalSeconds),
  };
}

/** Exactly ROTATION_ENV_VARS (the type says so). */
export function rotationEnvironment(input: EnvironmentInput): RotationEnvironment {
  return sharedEnvironment(input);
}

/** Exactly VERIFICATION_ENV_VARS (the type says so). */
export function verificationEnvironment(input: VerificationEnvironmentInput): VerificationEnvironment {
  return {
    ...sharedEnvironment(input),
    [EnvVar.rotationFunctionArn]: input.rotationFunctionArn,
    [EnvVar.clerkRateLimitPer10Seconds]: Tokenization.stringifyNumber(input.clerkRateLimit),
    [EnvVar.verifyClerkRateShare]: Tokenization.stringifyNumber(input.clerkRateShare),
    [EnvVar.pendingStuckAfterSeconds]: Tokenization.stringifyNumber(input.pendingStuckAfterSeconds),
    [EnvVar.verifyHeal]: input.heal ? 'true' : 'false',
  };
}
