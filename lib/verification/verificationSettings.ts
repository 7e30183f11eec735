import { Defaults, EnvVar } from '../constants.ts';
import { type FunctionSettings, parseFunctionSettings } from '../core/rotationSettings.ts';
import { describeValue } from '../describeValue.ts';
import { ConfigError } from '../errors.ts';

/** The verification function's settings, from its environment. */
export interface VerificationSettings {
  /** Instance key, allowlist, Clerk URL and landing horizon: read exactly as the rotation function reads them. */
  readonly functionSettings: FunctionSettings;
  readonly rotationFunctionArn: string;
  readonly clerkRateLimitPer10Seconds: number;
  readonly clerkRateShare: number;
  readonly pendingStuckAfterSeconds: number;
  readonly heal: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function numberSetting(env: Env, name: string, fallback: number, check: (n: number) => boolean, allowed: string) {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) {
    throw new ConfigError(name, `must be ${allowed}, got ${describeValue(env[name])}`);
  }
  return value;
}

/** The verification's Clerk pacing and stuck threshold, from an environment (the function's, or the CLI's). */
export type VerificationLimits = Pick<
  VerificationSettings,
  'clerkRateLimitPer10Seconds' | 'clerkRateShare' | 'pendingStuckAfterSeconds'
>;

export function parseVerificationLimits(env: Env, rotateLandingHorizonSeconds: number): VerificationLimits {
  return {
    pendingStuckAfterSeconds: numberSetting(
      env,
      EnvVar.pendingStuckAfterSeconds,
      Defaults.pendingStuckAfterSeconds,
      (n) => Number.isInteger(n) && n >= rotateLandingHorizonSeconds && n <= 604_800,
      `a whole number of seconds from the landing horizon (${rotateLandingHorizonSeconds}) to 604800`,
    ),
    clerkRateLimitPer10Seconds: numberSetting(
      env,
      EnvVar.clerkRateLimitPer10Seconds,
      Defaults.clerkRateLimitPer10Seconds,
      (n) => Number.isInteger(n) && n >= 1 && n <= 100_000,
      'a whole number of requests per 10 seconds from 1 to 100000',
    ),
    clerkRateShare: numberSetting(
      env,
      EnvVar.verifyClerkRateShare,
      Defaults.verifyClerkRateShare,
      (n) => n > 0 && n <= 1,
      'a share greater than 0 and at most 1 (e.g. 0.1 for 10 %)',
    ),
  };
}

export function parseVerificationSettings(env: Env): VerificationSettings {
  const functionSettings = parseFunctionSettings(env);
  const rotationFunctionArn = env[EnvVar.rotationFunctionArn]?.trim();
  if (!rotationFunctionArn?.startsWith('arn:')) {
    throw new ConfigError(
      EnvVar.rotationFunctionArn,
      `is required: the ARN of the rotation function whose secrets are verified, got ${describeValue(env[EnvVar.rotationFunctionArn])}`,
    );
  }
  const heal = env[EnvVar.verifyHeal]?.trim().toLowerCase() ?? 'true';
  if (heal !== 'true' && heal !== 'false') {
    throw new ConfigError(EnvVar.verifyHeal, `must be "true" or "false", got ${describeValue(env[EnvVar.verifyHeal])}`);
  }
  return {
    functionSettings,
    rotationFunctionArn,
    ...parseVerificationLimits(env, functionSettings.rotateLandingHorizonSeconds),
    heal: heal === 'true',
  };
}
