import { INSTANCE_KEY_PREFIXES, KEY_BODY_PATTERN, MACHINE_ID_PATTERN, MACHINE_KEY_PREFIX } from './constants.ts';
import { describeValue } from './describeValue.ts';
import { ErrorCode, SecretFormatError } from './errors.ts';
import { Redacted } from './Redacted.ts';

/** The rotated secret's value, parsed once at the boundary. */
export interface MachineSecret {
  readonly machineId: string;
  readonly secretKey: Redacted;
  /** ISO-8601 UTC; when the rotation that produced this version staged it. */
  readonly rotatedAt?: string | undefined;
  /** ISO-8601 UTC; when the key this version replaced stops working at Clerk. */
  readonly previousKeyExpiresAt?: string | undefined;
  /** Every other field of the JSON, preserved unchanged across rotations. */
  readonly extra: Readonly<Record<string, unknown>>;
  /**
   * Our timestamp fields that were present but not ISO-8601 (so treated as unknown, and replaced by the next
   * rotation) — for a warning; a bad timestamp never blocks a rotation.
   */
  readonly ignoredFields?: readonly string[] | undefined;
}

const KNOWN_FIELDS = new Set(['machineId', 'secretKey', 'rotatedAt', 'previousKeyExpiresAt']);

export function isValidMachineId(value: unknown): value is string {
  return typeof value === 'string' && MACHINE_ID_PATTERN.test(value);
}

export function assertMachineId(value: unknown, where: string): string {
  if (!isValidMachineId(value)) {
    throw new SecretFormatError(
      ErrorCode.secretFormatInvalid,
      `${where}: machineId must match ${MACHINE_ID_PATTERN} (Clerk's form is "mch_" plus 27 letters and digits), got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Names the kind of a wrong key without revealing it: only well-known prefixes are echoed. */
function describeKeyShape(value: unknown): string {
  if (typeof value !== 'string') return describeValue(value);
  if (value.length === 0) return 'an empty string';
  const known = [...INSTANCE_KEY_PREFIXES, 'pk_live_', 'pk_test_'].find((prefix) => value.startsWith(prefix));
  return known ? `a value starting with "${known}"` : `a ${value.length}-character value with another prefix`;
}

/** True when `value` is `prefix` followed by characters a key can contain (KEY_BODY_PATTERN). */
function hasKeyShape(value: string, prefix: string): boolean {
  return value.startsWith(prefix) && KEY_BODY_PATTERN.test(value.slice(prefix.length));
}

/** Names what is wrong with a key whose prefix is right, without echoing any of it. */
function describeKeyBody(value: string, prefix: string): string {
  const body = value.slice(prefix.length);
  if (body.length === 0) return `only the prefix "${prefix}"`;
  if (body.length > 256) return `a key of ${value.length} characters (at most ${prefix.length + 256})`;
  return `a value starting with "${prefix}" that contains characters a key cannot contain (only letters, digits, "_" and "-" are allowed: no spaces, line breaks or control characters)`;
}

export function assertMachineKey(value: unknown, where: string): Redacted {
  if (typeof value !== 'string' || !hasKeyShape(value, MACHINE_KEY_PREFIX)) {
    const got =
      typeof value === 'string' && value.startsWith(MACHINE_KEY_PREFIX)
        ? describeKeyBody(value, MACHINE_KEY_PREFIX)
        : describeKeyShape(value);
    throw new SecretFormatError(
      ErrorCode.secretFormatInvalid,
      `${where}: secretKey must be a Clerk machine secret key ("${MACHINE_KEY_PREFIX}" followed by letters, digits, "_" or "-"), got ${got}`,
    );
  }
  return new Redacted(value);
}

/** An ISO-8601 string we can use, or undefined (absent, or unusable and so treated as unknown). */
function optionalTimestamp(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/**
 * Parses a machine secret's SecretString: JSON with `machineId` and `secretKey` required.
 * `where` names the secret version in messages (e.g. "AWSCURRENT of arn:…").
 */
export function parseMachineSecret(secretString: string | undefined, where: string): MachineSecret {
  if (secretString === undefined) {
    throw new SecretFormatError(
      ErrorCode.secretFormatInvalid,
      `${where}: has no SecretString (binary secrets are not supported); expected JSON {"machineId": "mch_…", "secretKey": "ak_…"}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new SecretFormatError(
      ErrorCode.secretFormatInvalid,
      `${where}: SecretString is not JSON (${secretString.length} characters); expected {"machineId": "mch_…", "secretKey": "ak_…"}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretFormatError(
      ErrorCode.secretFormatInvalid,
      `${where}: SecretString must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : `a JSON ${parsed === null ? 'null' : typeof parsed}`}`,
    );
  }
  const record = parsed as Record<string, unknown>;
  const machineId = assertMachineId(record.machineId, where);
  const secretKey = assertMachineKey(record.secretKey, where);
  const rotatedAt = optionalTimestamp(record.rotatedAt);
  const previousKeyExpiresAt = optionalTimestamp(record.previousKeyExpiresAt);
  const ignoredFields = (['rotatedAt', 'previousKeyExpiresAt'] as const).filter(
    (field) => record[field] !== undefined && optionalTimestamp(record[field]) === undefined,
  );
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    // defineProperty, not assignment: a field named "__proto__" is data to preserve, not the object's prototype.
    if (!KNOWN_FIELDS.has(key)) Object.defineProperty(extra, key, { value, enumerable: true, writable: true });
  }
  return {
    machineId,
    secretKey,
    rotatedAt,
    previousKeyExpiresAt,
    extra,
    ...(ignoredFields.length > 0 ? { ignoredFields } : {}),
  };
}

/** The inverse of parseMachineSecret; unknown fields first so that ours always win. */
export function serializeMachineSecret(secret: MachineSecret): string {
  const value: Record<string, unknown> = {
    ...secret.extra,
    machineId: secret.machineId,
    secretKey: secret.secretKey.reveal(),
  };
  if (secret.rotatedAt !== undefined) value.rotatedAt = secret.rotatedAt;
  if (secret.previousKeyExpiresAt !== undefined) value.previousKeyExpiresAt = secret.previousKeyExpiresAt;
  return JSON.stringify(value);
}

/**
 * Parses the instance-key secret: either the key itself (`sk_live_…`/`sk_test_…`) or JSON `{"secretKey": "sk_…"}`.
 */
export function parseInstanceKeySecret(secretString: string | undefined, where: string): Redacted {
  const allowed = `either the key itself (${INSTANCE_KEY_PREFIXES.map((p) => `"${p}…"`).join(' or ')}) or JSON {"secretKey": "sk_…"}`;
  if (secretString === undefined) {
    throw new SecretFormatError(ErrorCode.instanceKeyInvalid, `${where}: has no SecretString; expected ${allowed}`);
  }
  const trimmed = secretString.trim();
  let candidate: unknown = trimmed;
  if (trimmed.startsWith('{')) {
    try {
      candidate = (JSON.parse(trimmed) as Record<string, unknown>).secretKey;
    } catch {
      throw new SecretFormatError(
        ErrorCode.instanceKeyInvalid,
        `${where}: looks like JSON but does not parse; expected ${allowed}`,
      );
    }
  }
  const prefix =
    typeof candidate === 'string' ? INSTANCE_KEY_PREFIXES.find((known) => candidate.startsWith(known)) : undefined;
  if (typeof candidate !== 'string' || prefix === undefined || !hasKeyShape(candidate, prefix)) {
    let shape: string;
    if (typeof candidate === 'string' && prefix !== undefined) shape = describeKeyBody(candidate, prefix);
    else if (typeof candidate === 'string' && candidate.startsWith(MACHINE_KEY_PREFIX)) {
      shape = `a machine key ("${MACHINE_KEY_PREFIX}…") — the instance key is the one from Clerk's API keys page`;
    } else shape = describeKeyShape(candidate);
    throw new SecretFormatError(ErrorCode.instanceKeyInvalid, `${where}: expected ${allowed}, got ${shape}`);
  }
  return new Redacted(candidate);
}
