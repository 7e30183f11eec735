import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BudgetDefaults } from '../lib/budget/BudgetDefaults.ts';
import { Defaults, Limits } from '../lib/constants.ts';
import type { ClerkMachineKeyRotatorProps } from './ClerkMachineKeyRotatorProps.ts';
import type { SharedFunctionSettings } from './createRotatorFunction.ts';
import { buildRotationRules } from './rotationRules.ts';
import {
  describeDuration,
  RotatorPropsError,
  validateClerkApiUrl,
  validateNumber,
  validateReplicaRegions,
  validateSeconds,
  ZERO,
} from './validation.ts';

/** The rotation function's timeout: a step calls Secrets Manager and Clerk a few times, retries bounded by it. */
export const ROTATION_FUNCTION_TIMEOUT = Duration.seconds(60);

/**
 * The rotation function's per-request timeout towards Clerk: `requestTimeoutMs` of lib/clerk/sendClerkRequest.ts,
 * which lambda/rotate.ts leaves at its default of 5 seconds.
 */
export const CLERK_REQUEST_TIMEOUT = Duration.seconds(5);

/** A rotate may land this many Clerk request timeouts after it was sent (a proxy holding it, a retry in flight). */
const LANDING_HORIZON_TIMEOUTS = 6;

const MIN_NODE_MAJOR = 22;
const VERIFICATION_INTERVAL = { min: Duration.minutes(1), max: Duration.days(1) };
/** What the verification function accepts (lib/verification/verificationSettings.ts): at most 7 days. */
const PENDING_STUCK_AFTER_MAX_SECONDS = Duration.days(7).toSeconds();
/** What the verification function accepts as CLERK_RATE_LIMIT_PER_10_SECONDS. */
const CLERK_RATE_LIMIT_MAX = 100_000;

/** The verification settings, validated; `undefined` when the verification is disabled. */
export interface VerificationSettings {
  readonly intervalSeconds: number;
  readonly heal: boolean;
  readonly clerkRateShare: number;
  readonly pendingStuckAfterSeconds: number;
}

/** The rotator's props, validated and with defaults applied. Numbers may be tokens (not validated). */
export interface RotatorSettings {
  readonly previousKeyTtlSeconds: number;
  readonly minRotationIntervalSeconds: number;
  readonly rotateLandingHorizonSeconds: number;
  readonly clerkRateLimit: number;
  /** The share of `clerkRateLimit` the rate budget keeps for the apps (infra/RotatorBudget.ts). */
  readonly appsShareOfRateLimit: number;
  readonly staggerWindows: boolean;
  readonly clerkApiUrl: string;
  /** What both functions share: runtime, architecture, logging, code source, VPC. */
  readonly functions: SharedFunctionSettings;
  readonly rotationRules: ReturnType<typeof buildRotationRules>;
  readonly verification: VerificationSettings | undefined;
}

function validateRuntime(runtime: lambda.Runtime): void {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.NODEJS || !match || Number(match[1]) < MIN_NODE_MAJOR) {
    throw new RotatorPropsError('runtime', `must be Node.js ${MIN_NODE_MAJOR} or newer, got ${runtime.name}`);
  }
}

function secondsOr(
  property: string,
  value: Duration | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  return validateSeconds(property, value, Duration.seconds(range.min), Duration.seconds(range.max));
}

function resolveLandingHorizon(value: Duration | undefined): number {
  const floor = LANDING_HORIZON_TIMEOUTS * CLERK_REQUEST_TIMEOUT.toSeconds();
  const min = Math.max(Limits.rotateLandingHorizonSeconds.min, floor);
  if (value !== undefined && !value.isUnresolved() && value.toMilliseconds() < min * 1000) {
    throw new RotatorPropsError(
      'rotateLandingHorizon',
      `must be at least ${describeDuration(Duration.seconds(min))} (${LANDING_HORIZON_TIMEOUTS}× the function's ${describeDuration(CLERK_REQUEST_TIMEOUT)} Clerk request timeout), got ${describeDuration(value)}`,
    );
  }
  return secondsOr('rotateLandingHorizon', value, Defaults.rotateLandingHorizonSeconds, {
    min,
    max: Limits.rotateLandingHorizonSeconds.max,
  });
}

function resolveInterval(value: Duration | undefined): number {
  if (value === undefined) return Defaults.verificationIntervalSeconds;
  const seconds = validateSeconds('verification.interval', value, VERIFICATION_INTERVAL.min, VERIFICATION_INTERVAL.max);
  if (!value.isUnresolved() && seconds % 60 !== 0) {
    throw new RotatorPropsError(
      'verification.interval',
      `must be a whole number of minutes (an EventBridge rate), got ${describeDuration(value)}`,
    );
  }
  return seconds;
}

/**
 * An AWSPENDING younger than the landing horizon may belong to a rotate that can still land, so the verification
 * refuses a shorter threshold (CONFIG_INVALID at every run): refuse it here, at synthesis.
 */
function resolvePendingStuckAfter(value: Duration | undefined, horizonSeconds: number): number {
  const seconds = secondsOr('verification.pendingStuckAfter', value, Defaults.pendingStuckAfterSeconds, {
    min: 1,
    max: PENDING_STUCK_AFTER_MAX_SECONDS,
  });
  if (!Token.isUnresolved(seconds) && !Token.isUnresolved(horizonSeconds) && seconds < horizonSeconds) {
    throw new RotatorPropsError(
      'verification.pendingStuckAfter',
      `must be at least rotateLandingHorizon (${describeDuration(Duration.seconds(horizonSeconds))}), got ${describeDuration(Duration.seconds(seconds))}`,
    );
  }
  return seconds;
}

function resolveVerification(
  props: ClerkMachineKeyRotatorProps,
  horizonSeconds: number,
): VerificationSettings | undefined {
  const options = props.verification ?? {};
  if (options.enabled === false) return undefined;
  return {
    intervalSeconds: resolveInterval(options.interval),
    heal: options.heal ?? true,
    clerkRateShare:
      options.clerkRateShare === undefined
        ? Defaults.verifyClerkRateShare
        : validateNumber('verification.clerkRateShare', options.clerkRateShare, {
            min: 0,
            minExclusive: true,
            max: 1,
          }),
    pendingStuckAfterSeconds: resolvePendingStuckAfter(options.pendingStuckAfter, horizonSeconds),
  };
}

/**
 * Checks that the verification runs at least four times within a previous-key TTL: a drift it finds can then be
 * healed (and a rejected key reported) while the replaced key still works. A TTL of 0 has no overlap to protect.
 */
export function checkVerificationInterval(
  property: string,
  ttlSeconds: number,
  verification: VerificationSettings | undefined,
): void {
  if (verification === undefined || ttlSeconds <= 0) return;
  const interval = verification.intervalSeconds;
  if (Token.isUnresolved(ttlSeconds) || Token.isUnresolved(interval) || interval * 4 <= ttlSeconds) return;
  const ttl = describeDuration(Duration.seconds(ttlSeconds));
  const allowed = describeDuration(Duration.seconds(Math.floor(ttlSeconds / 4 / 60) * 60));
  throw new RotatorPropsError(
    property,
    `of ${ttl} needs verification.interval at most a quarter of it (${allowed}), got ${describeDuration(Duration.seconds(interval))}: shorten verification.interval, lengthen the TTL, or disable the verification`,
  );
}

/** Validates every top-level prop before anything is created; throws RotatorPropsError naming the first bad one. */
export function resolveRotatorSettings(scope: Construct, props: ClerkMachineKeyRotatorProps): RotatorSettings {
  const previousKeyTtlSeconds = secondsOr(
    'previousKeyTtl',
    props.previousKeyTtl,
    Defaults.previousKeyTtlSeconds,
    Limits.previousKeyTtlSeconds,
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
  const rotationRules = buildRotationRules(props);
  if (props.clerkApiUrl !== undefined) validateClerkApiUrl('clerkApiUrl', props.clerkApiUrl);
  if (props.replicaRegions !== undefined) {
    validateReplicaRegions(
      'replicaRegions',
      props.replicaRegions.map((replica) => (typeof replica === 'string' ? replica : replica.region)),
      Stack.of(scope).region,
    );
  }
  const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
  validateRuntime(runtime);
  const rotateLandingHorizonSeconds = resolveLandingHorizon(props.rotateLandingHorizon);
  const verification = resolveVerification(props, rotateLandingHorizonSeconds);
  checkVerificationInterval('previousKeyTtl', previousKeyTtlSeconds, verification);
  return {
    previousKeyTtlSeconds,
    minRotationIntervalSeconds,
    rotateLandingHorizonSeconds,
    clerkRateLimit:
      props.clerkRateLimit === undefined
        ? Defaults.clerkRateLimitPer10Seconds
        : validateNumber('clerkRateLimit', props.clerkRateLimit, { min: 1, max: CLERK_RATE_LIMIT_MAX, integer: true }),
    appsShareOfRateLimit:
      props.appsShareOfRateLimit === undefined
        ? BudgetDefaults.appsShareOfRateLimit
        : validateNumber('appsShareOfRateLimit', props.appsShareOfRateLimit, { min: 0, max: 0.99 }),
    staggerWindows: props.staggerWindows ?? false,
    clerkApiUrl: props.clerkApiUrl ?? Defaults.clerkApiUrl,
    functions: {
      runtime,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      logLevel: props.logLevel ?? 'info',
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      bundling: props.bundling ?? 'prebuilt',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    },
    rotationRules,
    verification,
  };
}
