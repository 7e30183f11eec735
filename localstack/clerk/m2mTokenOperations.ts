import type { MachineRecord } from './ClerkState.ts';
import type { ClerkOperation } from './clerkOperations.ts';
import { authorizationInvalid, formParamMissing, formParamValueInvalid, resourceNotFound } from './errors.ts';
import { newTokenId } from './identifiers.ts';
import type { M2MTokenRecord } from './M2MTokenStore.ts';
import { looksLikeJwt, RESERVED_M2M_JWT_CLAIMS, signM2MJwt, verifyM2MJwtSignature } from './m2mJwt.ts';
import type { OperationContext, OperationResult, OperationSpec } from './OperationSpec.ts';
import { bodyInteger, queryBoolean, queryInteger, rejectUnknownFields } from './params.ts';
import { type M2MTokenView, toM2MTokenWire } from './wireFormat.ts';

// The /m2m_tokens paths declare 400 for bad input and no 422, so every parameter error there is a 400.
const STATUS = 400;
const MACHINE_ID = /^mch_\w{27}$/;
const TOKEN_ID = /^mt_[0-9A-Fa-f]{32}$/;

type TokenOperation = Extract<ClerkOperation, 'createM2MToken' | 'listM2MTokens' | 'verifyM2MToken' | 'revokeM2MToken'>;

const tokenNotFound = () => resourceNotFound('No M2M token was found, or it is revoked, expired or not yours to use.');

const recordView = (record: M2MTokenRecord): M2MTokenView => record;

const callingMachine = (ctx: OperationContext): MachineRecord => {
  // keys: 'machine' guarantees a machine principal; a machine deleted since authentication is gone.
  if (ctx.principal.kind !== 'machine') throw authorizationInvalid('This endpoint requires a machine secret key.');
  const machine = ctx.state.findMachine(ctx.principal.instanceId, ctx.principal.machineId);
  if (machine === undefined) throw resourceNotFound('No machine was found for this key.');
  return machine;
};

const readLifetimeSeconds = (ctx: OperationContext, machine: MachineRecord): number => {
  const value = ctx.body.seconds_until_expiration;
  // The spec: the effective lifetime is seconds_until_expiration "when provided, or the machine's default TTL
  // otherwise"; an explicit null is read as "not provided" (see docs/local-stack-clerk.md).
  if (value === undefined || value === null) return machine.defaultTokenTtlSeconds;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw formParamValueInvalid('seconds_until_expiration', 'must be a number greater than 0.', STATUS);
  }
  return value;
};

const readClaims = (ctx: OperationContext, format: 'opaque' | 'jwt'): unknown => {
  const claims = ctx.body.claims ?? null;
  if (format === 'jwt' && claims !== null) {
    if (typeof claims !== 'object' || Array.isArray(claims)) {
      throw formParamValueInvalid('claims', 'must be a JSON object for jwt-format tokens.', STATUS);
    }
    const reserved = Object.keys(claims).filter((name) => RESERVED_M2M_JWT_CLAIMS.has(name));
    if (reserved.length > 0) {
      throw formParamValueInvalid('claims', `must not set the reserved claims ${reserved.join(', ')}.`, STATUS);
    }
  }
  return claims;
};

const createM2MToken = (ctx: OperationContext): OperationResult => {
  rejectUnknownFields(
    ctx.body,
    ['token_format', 'seconds_until_expiration', 'claims', 'min_remaining_ttl_seconds'],
    STATUS,
  );
  const machine = callingMachine(ctx);
  const format = ctx.body.token_format ?? 'opaque';
  if (format !== 'opaque' && format !== 'jwt') {
    throw formParamValueInvalid('token_format', 'must be opaque or jwt.', STATUS);
  }
  const lifetimeSeconds = readLifetimeSeconds(ctx, machine);
  const claims = readClaims(ctx, format);
  const minRemaining = bodyInteger(ctx.body, 'min_remaining_ttl_seconds', { min: 0, required: false, status: STATUS });
  if (minRemaining !== undefined && minRemaining >= lifetimeSeconds) {
    throw formParamValueInvalid(
      'min_remaining_ttl_seconds',
      'must be less than the token lifetime (seconds_until_expiration or the machine default TTL).',
      STATUS,
    );
  }
  const scopes = [...machine.scopedMachineIds];
  if (format === 'jwt') return createJwtToken(ctx, machine, lifetimeSeconds, claims, scopes);
  const { record } = ctx.state.tokens.createOpaque({
    instanceId: machine.instanceId,
    subject: machine.id,
    scopes,
    claims,
    lifetimeMs: lifetimeSeconds * 1000,
    ...(minRemaining === undefined ? {} : { minRemainingTtlSeconds: minRemaining }),
  });
  return {
    status: 201,
    body: toM2MTokenWire(recordView(record), ctx.now, record.secret.reveal()),
    machineId: machine.id,
  };
};

/**
 * JWTs carry whole seconds: iat is the creation second and exp = iat + ceil(lifetime), and the 201 reports exactly
 * those (× 1000) so that create and verify agree on created_at and expiration.
 */
const createJwtToken = (
  ctx: OperationContext,
  machine: MachineRecord,
  lifetimeSeconds: number,
  claims: unknown,
  scopes: string[],
): OperationResult => {
  const instance = ctx.state.getInstance(machine.instanceId);
  const iat = Math.floor(ctx.now / 1000);
  const exp = iat + Math.ceil(lifetimeSeconds);
  const id = newTokenId();
  const token = signM2MJwt(
    {
      ...(claims as Record<string, unknown> | null),
      iss: `clerk-emulator:${instance.id}`,
      sub: machine.id,
      iat,
      nbf: iat,
      exp,
      jti: id,
      ...(scopes.length > 0 ? { aud: scopes } : {}),
    },
    instance.signingSecret,
    instance.id,
  );
  const view: M2MTokenView = {
    id,
    subject: machine.id,
    claims,
    scopes,
    revoked: false,
    revocationReason: null,
    expiration: exp * 1000,
    lastUsedAt: null,
    createdAt: iat * 1000,
    updatedAt: iat * 1000,
  };
  return { status: 201, body: toM2MTokenWire(view, ctx.now, token), machineId: machine.id };
};

const listM2MTokens = (ctx: OperationContext): OperationResult => {
  const subject = ctx.query.get('subject');
  if (subject === null || subject === '') throw formParamMissing('subject', STATUS);
  if (!MACHINE_ID.test(subject)) throw formParamValueInvalid('subject', 'must be a machine id (mch_…).', STATUS);
  const includeRevoked = queryBoolean(ctx.query, 'revoked', STATUS);
  const includeExpired = queryBoolean(ctx.query, 'expired', STATUS);
  const limit = queryInteger(ctx.query, 'limit', { min: 1, max: 100, fallback: 10, status: STATUS });
  const offset = queryInteger(ctx.query, 'offset', { min: 0, fallback: 0, status: STATUS });
  if (ctx.principal.kind === 'machine' && ctx.principal.machineId !== subject) {
    // The spec declares 403 for this path; a machine key only lists its own machine's tokens.
    throw authorizationInvalid("A machine secret key can only list its own machine's M2M tokens.");
  }
  if (ctx.state.findMachine(ctx.principal.instanceId, subject) === undefined) {
    throw resourceNotFound('No machine was found with the given subject.');
  }
  const tokens = ctx.state.tokens.listForSubject(subject, { includeRevoked, includeExpired });
  return {
    status: 200,
    body: {
      m2m_tokens: tokens.slice(offset, offset + limit).map((t) => toM2MTokenWire(recordView(t), ctx.now)),
      total_count: tokens.length,
    },
    machineId: subject,
  };
};

/** A machine key may verify tokens its machine issued or that grant it access (it is in their scopes). */
const mayVerify = (ctx: OperationContext, token: M2MTokenView): boolean =>
  ctx.principal.kind === 'instance' ||
  token.subject === ctx.principal.machineId ||
  token.scopes.includes(ctx.principal.machineId);

const verifyJwt = (ctx: OperationContext, token: string): OperationResult => {
  const instance = ctx.state.getInstance(ctx.principal.instanceId);
  const payload = verifyM2MJwtSignature(token, instance.signingSecret);
  if (payload === undefined || payload.exp * 1000 <= ctx.now) throw tokenNotFound();
  const claims = Object.fromEntries(Object.entries(payload).filter(([name]) => !RESERVED_M2M_JWT_CLAIMS.has(name)));
  const view: M2MTokenView = {
    id: payload.jti,
    subject: payload.sub,
    claims: Object.keys(claims).length > 0 ? claims : null,
    scopes: Array.isArray(payload.aud) ? payload.aud.filter((s): s is string => typeof s === 'string') : [],
    revoked: false,
    revocationReason: null,
    expiration: payload.exp * 1000,
    lastUsedAt: null,
    createdAt: payload.iat * 1000,
    updatedAt: payload.iat * 1000,
  };
  if (!mayVerify(ctx, view)) throw tokenNotFound();
  return { status: 200, body: toM2MTokenWire(view, ctx.now), machineId: view.subject };
};

const verifyM2MToken = (ctx: OperationContext): OperationResult => {
  rejectUnknownFields(ctx.body, ['token'], STATUS);
  const token = ctx.body.token;
  if (token === undefined) throw formParamMissing('token', STATUS);
  if (typeof token !== 'string' || token === '') throw formParamValueInvalid('token', 'must be a string.', STATUS);
  if (looksLikeJwt(token)) return verifyJwt(ctx, token);
  const record = ctx.state.tokens.findByToken(token);
  // Unknown, another instance's, revoked, expired or not granted to the calling machine: all 404, the status
  // @clerk/backend turns into "token invalid" (the spec declares only 400 and 404 here).
  if (
    record === undefined ||
    record.instanceId !== ctx.principal.instanceId ||
    record.revoked ||
    ctx.state.tokens.isExpired(record, ctx.now) ||
    !mayVerify(ctx, record)
  ) {
    throw tokenNotFound();
  }
  ctx.state.tokens.markUsed(record);
  return { status: 200, body: toM2MTokenWire(recordView(record), ctx.now), machineId: record.subject };
};

const revokeM2MToken = (ctx: OperationContext): OperationResult => {
  const id = ctx.pathId ?? '';
  if (!TOKEN_ID.test(id)) throw formParamValueInvalid('m2m_token_id', 'must be an M2M token id (mt_…).', STATUS);
  rejectUnknownFields(ctx.body, ['revocation_reason'], STATUS);
  const reason = ctx.body.revocation_reason ?? null;
  if (reason !== null && typeof reason !== 'string') {
    throw formParamValueInvalid('revocation_reason', 'must be a string or null.', STATUS);
  }
  const record = ctx.state.tokens.findById(id);
  // JWT-format tokens are never stored, so their ids are not found here either, as in Clerk.
  if (
    record === undefined ||
    record.instanceId !== ctx.principal.instanceId ||
    (ctx.principal.kind === 'machine' && record.subject !== ctx.principal.machineId)
  ) {
    throw tokenNotFound();
  }
  ctx.state.tokens.revoke(record, reason);
  return { status: 200, body: toM2MTokenWire(recordView(record), ctx.now), machineId: record.subject };
};

export const m2mTokenOperations: Readonly<Record<TokenOperation, OperationSpec>> = {
  createM2MToken: { keys: 'machine', body: 'required', handle: createM2MToken },
  listM2MTokens: { keys: 'either', body: 'none', handle: listM2MTokens },
  verifyM2MToken: { keys: 'either', body: 'required', handle: verifyM2MToken },
  revokeM2MToken: { keys: 'either', body: 'required', handle: revokeM2MToken },
};
