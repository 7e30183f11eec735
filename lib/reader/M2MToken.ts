import { ClerkApiError, ErrorCode, SecretFormatError } from '../errors.ts';
import { Redacted } from '../Redacted.ts';

/** An M2M token's metadata in our words; Clerk's timestamps (epoch milliseconds) become Dates once, here. */
export interface M2MTokenInfo {
  readonly id: string;
  /** The machine the token was created for (`mch_…`). */
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly claims: unknown;
  readonly revoked: boolean;
  readonly revocationReason: string | null;
  readonly expired: boolean;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A newly created token: the bearer value stays wrapped until it is put in an Authorization header. */
export interface M2MToken extends M2MTokenInfo {
  readonly token: Redacted;
  /** The Secrets Manager version of the machine key that created it. */
  readonly machineKeyVersionId: string;
}

/** `machine_to_machine_token` as Clerk sends it (snake_case, epoch milliseconds). */
interface M2MTokenWire {
  object?: unknown;
  id?: unknown;
  subject?: unknown;
  scopes?: unknown;
  claims?: unknown;
  token?: unknown;
  revoked?: unknown;
  revocation_reason?: unknown;
  expired?: unknown;
  expiration?: unknown;
  last_used_at?: unknown;
  created_at?: unknown;
  updated_at?: unknown;
}

/**
 * What a bearer token may contain (RFC 6750's b64token): letters, digits and `-._~+/`, then `=` padding. Clerk's
 * opaque tokens (`mt_…`) and JWT-format tokens both fit; CR, LF, NUL, spaces and the like cannot go into an
 * Authorization header, so a token holding them is refused where it is parsed.
 */
const BEARER_TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Far above a JWT with generous claims; below what HTTP servers accept in one header. */
export const MAX_M2M_TOKEN_LENGTH = 16_384;

export function isBearerTokenShaped(value: string): boolean {
  return value.length <= MAX_M2M_TOKEN_LENGTH && BEARER_TOKEN_PATTERN.test(value);
}

const msToDate = (value: unknown): Date | null =>
  typeof value === 'number' && Number.isFinite(value) ? new Date(value) : null;

/**
 * Converts Clerk's token object; throws ClerkApiError(CLERK_INVALID_RESPONSE) when the required fields are missing.
 * `ambiguous` says whether the call may have had an effect (a create did mint a token even if we cannot read it).
 */
export function parseM2MTokenInfo(body: unknown, operation: string, ambiguous: boolean): M2MTokenInfo {
  const wire = (typeof body === 'object' && body !== null ? body : {}) as M2MTokenWire;
  const createdAt = msToDate(wire.created_at);
  if (
    wire.object !== 'machine_to_machine_token' ||
    typeof wire.id !== 'string' ||
    typeof wire.subject !== 'string' ||
    createdAt === null
  ) {
    throw new ClerkApiError(
      ErrorCode.clerkInvalidResponse,
      'expected {"object": "machine_to_machine_token", "id", "subject", "created_at", …} in the response',
      { operation, status: 200, ambiguous },
    );
  }
  return {
    id: wire.id,
    subject: wire.subject,
    scopes: Array.isArray(wire.scopes) ? wire.scopes.filter((s): s is string => typeof s === 'string') : [],
    claims: wire.claims ?? null,
    revoked: wire.revoked === true,
    revocationReason: typeof wire.revocation_reason === 'string' ? wire.revocation_reason : null,
    expired: wire.expired === true,
    expiresAt: msToDate(wire.expiration),
    lastUsedAt: msToDate(wire.last_used_at),
    createdAt,
    updatedAt: msToDate(wire.updated_at) ?? createdAt,
  };
}

export function parseCreatedM2MToken(body: unknown, operation: string, machineKeyVersionId: string): M2MToken {
  const info = parseM2MTokenInfo(body, operation, true);
  const token = (body as M2MTokenWire).token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new ClerkApiError(ErrorCode.clerkInvalidResponse, 'the created token has no "token" value', {
      operation,
      status: 201,
      ambiguous: true,
    });
  }
  if (!isBearerTokenShaped(token)) {
    // Neither the value nor the id is echoed: Clerk's token ids have the same shape as the tokens themselves.
    throw new SecretFormatError(
      ErrorCode.secretFormatInvalid,
      `Clerk ${operation}: the created token (${token.length} characters) is not a bearer token: allowed are letters, digits and "-._~+/" then "=", at most ${MAX_M2M_TOKEN_LENGTH} characters; Clerk minted it, it is not returned`,
    );
  }
  return { ...info, token: new Redacted(token), machineKeyVersionId };
}
