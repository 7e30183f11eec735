import { Defaults, EnvVar, Limits, TagKey } from '../constants.ts';
import { describeValue } from '../describeValue.ts';
import { ConfigError, ErrorCode, RotationStateError } from '../errors.ts';
import { parseClerkApiUrl } from '../parseClerkApiUrl.ts';

/** Settings from the function's environment: the defaults for every secret it rotates. */
export interface FunctionSettings {
  readonly instanceKeySecretId: string | undefined;
  /** Instance-key secrets a secret's tag may name besides the default (deploy-time only: never from tags). */
  readonly allowedInstanceKeySecretIds: readonly string[];
  readonly clerkApiUrl: string;
  readonly previousKeyTtlSeconds: number;
  readonly minRotationIntervalSeconds: number;
  /** Deploy-time only: a tag could otherwise shorten the wait that keeps late rotates from being doubled. */
  readonly rotateLandingHorizonSeconds: number;
}

/** Settings for one secret: the function's, overridden by the secret's tags. */
export interface RotationSettings {
  readonly instanceKeySecretId: string;
  /** Which setting the instance-key secret id came from (for error messages). */
  readonly instanceKeySecretSource: string;
  readonly clerkApiUrl: string;
  readonly previousKeyTtlSeconds: number;
  readonly minRotationIntervalSeconds: number;
  readonly rotateLandingHorizonSeconds: number;
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

/** A secret id as a name: an ARN's resource part without the 6-character suffix Secrets Manager appends. */
function secretName(id: string): string {
  const match = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(id);
  if (match === null) return id;
  return (match[1] ?? id).replace(/-[A-Za-z0-9]{6}$/, '');
}

/** Whether two secret ids (names, full or partial ARNs) name the same secret. */
export function isSameSecret(a: string, b: string): boolean {
  return a === b || secretName(a) === secretName(b);
}

export function parseFunctionSettings(env: Env): FunctionSettings {
  const ttl = nonEmpty(env[EnvVar.previousKeyTtlSeconds]);
  const interval = nonEmpty(env[EnvVar.minRotationIntervalSeconds]);
  const horizon = nonEmpty(env[EnvVar.rotateLandingHorizonSeconds]);
  const allowed = (env[EnvVar.allowedInstanceKeySecretIds] ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  return {
    instanceKeySecretId: nonEmpty(env[EnvVar.instanceKeySecretId]),
    allowedInstanceKeySecretIds: allowed,
    rotateLandingHorizonSeconds:
      horizon === undefined
        ? Defaults.rotateLandingHorizonSeconds
        : parseIntegerSetting(
            EnvVar.rotateLandingHorizonSeconds,
            horizon,
            Limits.rotateLandingHorizonSeconds,
            'seconds',
          ),
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
  const taggedInstanceKey = nonEmpty(instanceTag);
  if (
    taggedInstanceKey !== undefined &&
    !(fn.instanceKeySecretId !== undefined && isSameSecret(taggedInstanceKey, fn.instanceKeySecretId)) &&
    !fn.allowedInstanceKeySecretIds.some((allowed) => isSameSecret(taggedInstanceKey, allowed))
  ) {
    throw new RotationStateError(
      ErrorCode.instanceKeyNotAllowed,
      `secret tag ${TagKey.instanceKeySecretId} names ${describeValue(taggedInstanceKey)}, which is not an instance-key secret this function may use; allowed: ${[fn.instanceKeySecretId, ...fn.allowedInstanceKeySecretIds].filter((id) => id !== undefined).join(', ') || 'none'} (${EnvVar.allowedInstanceKeySecretIds}, set at deploy time)`,
    );
  }
  const instanceKeySecretId = taggedInstanceKey ?? fn.instanceKeySecretId;
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
    rotateLandingHorizonSeconds: fn.rotateLandingHorizonSeconds,
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
