import { parseClerkApiUrl } from '../clerk/parseClerkApiUrl.ts';
import { Defaults, EnvVar, Limits, TagKey } from '../constants.ts';
import { describeValue } from '../describeValue.ts';
import { ConfigError } from '../errors.ts';

/** Settings from the function's environment: the defaults for every secret it rotates. */
export interface FunctionSettings {
  readonly instanceKeySecretId: string | undefined;
  readonly clerkApiUrl: string;
  readonly previousKeyTtlSeconds: number;
  readonly minRotationIntervalSeconds: number;
}

/** Settings for one secret: the function's, overridden by the secret's tags. */
export interface RotationSettings {
  readonly instanceKeySecretId: string;
  /** Which setting the instance-key secret id came from (for error messages). */
  readonly instanceKeySecretSource: string;
  readonly clerkApiUrl: string;
  readonly previousKeyTtlSeconds: number;
  readonly minRotationIntervalSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function parseIntegerSetting(setting: string, raw: string, range: { min: number; max: number }, unit: string): number {
  const trimmed = raw.trim();
  const value = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(
      setting,
      `must be a whole number of ${unit} from ${range.min} to ${range.max}, got ${describeValue(raw)}`,
    );
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function parseFunctionSettings(env: Env): FunctionSettings {
  const ttl = nonEmpty(env[EnvVar.previousKeyTtlSeconds]);
  const interval = nonEmpty(env[EnvVar.minRotationIntervalSeconds]);
  return {
    instanceKeySecretId: nonEmpty(env[EnvVar.instanceKeySecretId]),
    clerkApiUrl: parseClerkApiUrl(nonEmpty(env[EnvVar.clerkApiUrl]) ?? Defaults.clerkApiUrl, EnvVar.clerkApiUrl),
    previousKeyTtlSeconds:
      ttl === undefined
        ? Defaults.previousKeyTtlSeconds
        : parseIntegerSetting(EnvVar.previousKeyTtlSeconds, ttl, Limits.previousKeyTtlSeconds, 'seconds'),
    minRotationIntervalSeconds:
      interval === undefined
        ? Defaults.minRotationIntervalSeconds
        : parseIntegerSetting(
            EnvVar.minRotationIntervalSeconds,
            interval,
            Limits.minRotationIntervalSeconds,
            'seconds',
          ),
  };
}

export function resolveRotationSettings(
  fn: FunctionSettings,
  tags: Readonly<Record<string, string>>,
): RotationSettings {
  const tagged = (key: string) => (key in tags ? (tags[key] ?? '') : undefined);
  const tagSetting = (key: string) => `secret tag ${key}`;

  const ttlTag = tagged(TagKey.previousKeyTtlSeconds);
  const intervalTag = tagged(TagKey.minRotationIntervalSeconds);
  const instanceTag = tagged(TagKey.instanceKeySecretId);

  if (instanceTag !== undefined && !nonEmpty(instanceTag)) {
    throw new ConfigError(tagSetting(TagKey.instanceKeySecretId), 'must be a secret name or ARN, got an empty value');
  }
  const instanceKeySecretId = nonEmpty(instanceTag) ?? fn.instanceKeySecretId;
  if (instanceKeySecretId === undefined) {
    throw new ConfigError(
      EnvVar.instanceKeySecretId,
      `is required: the name or ARN of the secret holding the Clerk instance key (sk_…); set it on the function or tag the secret with ${TagKey.instanceKeySecretId}`,
    );
  }
  return {
    instanceKeySecretId,
    instanceKeySecretSource:
      instanceTag !== undefined ? tagSetting(TagKey.instanceKeySecretId) : EnvVar.instanceKeySecretId,
    clerkApiUrl: fn.clerkApiUrl,
    previousKeyTtlSeconds:
      ttlTag === undefined
        ? fn.previousKeyTtlSeconds
        : parseIntegerSetting(
            tagSetting(TagKey.previousKeyTtlSeconds),
            ttlTag,
            Limits.previousKeyTtlSeconds,
            'seconds',
          ),
    minRotationIntervalSeconds:
      intervalTag === undefined
        ? fn.minRotationIntervalSeconds
        : parseIntegerSetting(
            tagSetting(TagKey.minRotationIntervalSeconds),
            intervalTag,
            Limits.minRotationIntervalSeconds,
            'seconds',
          ),
  };
}
