import { Stage } from '../../lib/constants.ts';
import type { Clock } from '../common/Clock.ts';
import type { RandomSource } from '../common/seededRandom.ts';
import { invalidParameter, markedForDeletion, resourceExists, secretNotFound, validationError } from './errors.ts';
import { randomArnSuffix, randomUuid } from './identifiers.ts';
import { type SecretRecord, type SecretValue, type SecretVersion, sameValue, valueByteLength } from './SecretRecord.ts';
import { attachLabel, findVersionWithLabel } from './stagingLabels.ts';
import { optionalString, type WireObject } from './wireInput.ts';

/** Secrets Manager's quota on a secret value (SecretString or SecretBinary), in bytes. */
export const MAX_SECRET_VALUE_BYTES = 65_536;
const TOKEN_MIN = 32;
const TOKEN_MAX = 64;
export const DAY_MS = 86_400_000;

export interface SecretsStateOptions {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly region: string;
  readonly accountId: string;
}

/**
 * The emulator's store: every secret by name, plus the lookups and version rules that several operations share.
 * Operations live in their own modules and call into this; nothing here knows about HTTP.
 */
export class SecretsState {
  readonly #secrets = new Map<string, SecretRecord>();
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly region: string;
  readonly accountId: string;

  constructor(options: SecretsStateOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.region = options.region;
    this.accountId = options.accountId;
  }

  now(): number {
    return this.clock.now();
  }

  get arnPrefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`;
  }

  newVersionId(): string {
    return randomUuid(this.random);
  }

  newArn(name: string): string {
    return `${this.arnPrefix}${name}-${randomArnSuffix(this.random)}`;
  }

  /** All secrets, purged of those whose recovery window has passed, in creation order. */
  all(): SecretRecord[] {
    this.#purgeExpired();
    return [...this.#secrets.values()];
  }

  add(secret: SecretRecord): void {
    this.#secrets.set(secret.name, secret);
  }

  remove(secret: SecretRecord): void {
    if (this.#secrets.get(secret.name) === secret) this.#secrets.delete(secret.name);
  }

  /** By name, full ARN or partial ARN (the ARN without the six-character suffix). Includes scheduled deletions. */
  find(secretId: string): SecretRecord | undefined {
    this.#purgeExpired();
    if (!secretId.startsWith('arn:')) return this.#secrets.get(secretId);
    for (const secret of this.#secrets.values()) {
      if (secret.arn === secretId) return secret;
    }
    if (secretId.startsWith(this.arnPrefix)) return this.#secrets.get(secretId.slice(this.arnPrefix.length));
    return undefined;
  }

  require(secretId: string): SecretRecord {
    const secret = this.find(secretId);
    if (secret === undefined) throw secretNotFound();
    return secret;
  }

  /** A secret that is not scheduled for deletion: reads and writes on a deleted secret are InvalidRequestException. */
  requireLive(secretId: string): SecretRecord {
    const secret = this.require(secretId);
    if (secret.deletionDate !== undefined) throw markedForDeletion();
    return secret;
  }

  #purgeExpired(): void {
    const now = this.clock.now();
    for (const [name, secret] of this.#secrets) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) this.#secrets.delete(name);
    }
  }

  /**
   * Adds a version with a value (PutSecretValue, UpdateSecret, CreateSecret), honouring ClientRequestToken
   * idempotency: the same token with the same value is a no-op; with a different value it is ResourceExistsException
   * because versions are immutable. A valueless AWSPENDING placeholder (from RotateSecret) is filled in place.
   */
  putVersion(secret: SecretRecord, request: PutVersionRequest): PutVersionResult {
    const versionId = request.token ?? this.newVersionId();
    const existing = secret.versions.get(versionId);
    if (existing?.value !== undefined) {
      if (!sameValue(existing.value, request.value)) {
        throw resourceExists(
          `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of secret ${secret.arn}.`,
        );
      }
      return { version: existing, created: false };
    }
    const now = this.clock.now();
    const version: SecretVersion = existing ?? {
      versionId,
      createdAt: now,
      value: undefined,
      stages: [],
      lastAccessedAt: undefined,
    };
    version.value = request.value;
    if (existing === undefined) secret.versions.set(versionId, version);
    const stages = [...(request.stages ?? [Stage.current])];
    // The first version of a secret always becomes AWSCURRENT, whatever labels the caller asked for.
    if (!stages.includes(Stage.current) && findVersionWithLabel(secret, Stage.current) === undefined) {
      stages.push(Stage.current);
    }
    for (const stage of stages) attachLabel(secret, version, stage);
    secret.lastChangedAt = now;
    return { version, created: true };
  }
}

export interface PutVersionRequest {
  readonly token: string | undefined;
  readonly value: SecretValue;
  /** Labels for the new version; `undefined` means AWSCURRENT. */
  readonly stages: readonly string[] | undefined;
}

export interface PutVersionResult {
  readonly version: SecretVersion;
  /** False when the request repeated an earlier one (same token, same value). */
  readonly created: boolean;
}

/** Validates ClientRequestToken (it becomes the VersionId). */
export const readClientRequestToken = (input: WireObject): string | undefined => {
  const token = optionalString(input, 'ClientRequestToken');
  if (token !== undefined && (token.length < TOKEN_MIN || token.length > TOKEN_MAX)) {
    throw invalidParameter('ClientRequestToken must be 32-64 characters long.');
  }
  return token;
};

/** Reads SecretString / SecretBinary (base64 on the wire); at most one, at most 65,536 bytes. */
export const readSecretValue = (input: WireObject): SecretValue | undefined => {
  const text = optionalString(input, 'SecretString');
  const base64 = optionalString(input, 'SecretBinary');
  if (text !== undefined && base64 !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  const value: SecretValue | undefined =
    text !== undefined ? { kind: 'string', text } : base64 !== undefined ? { kind: 'binary', base64 } : undefined;
  if (value !== undefined) {
    const bytes = valueByteLength(value);
    if (bytes > MAX_SECRET_VALUE_BYTES) {
      // Never echo the value: only its size.
      throw validationError(
        `1 validation error detected: Value at '${value.kind === 'string' ? 'secretString' : 'secretBinary'}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SECRET_VALUE_BYTES} (got ${bytes} bytes)`,
      );
    }
  }
  return value;
};

/** Staging label names: 1–256 characters, at most 20 on one version. */
export const readVersionStages = (input: WireObject, field: string): string[] | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length < 1 || value.length > 20) {
    throw validationError(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 20`,
    );
  }
  return value.map((stage: unknown) => {
    if (typeof stage !== 'string' || stage.length < 1 || stage.length > 256) {
      throw validationError(
        `1 validation error detected: Value at '${field}.member' failed to satisfy constraint: Member must have length between 1 and 256`,
      );
    }
    return stage;
  });
};

export const epochSeconds = (ms: number): number => ms / 1000;
