import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * JWT-format M2M tokens. Real Clerk signs them with the instance's RS256 key (verifiable through JWKS); the emulator
 * signs with HMAC-SHA256 and a per-instance secret, which is enough for `POST /m2m_tokens/verify` to check them.
 * Claim layout follows @clerk/backend's reading: `iss sub exp nbf iat jti` are structural, everything else is a
 * custom claim; scopes travel in `aud`.
 */
export interface M2MJwtPayload {
  readonly iss: string;
  readonly sub: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  readonly aud?: readonly string[];
  readonly [claim: string]: unknown;
}

export const RESERVED_M2M_JWT_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'exp', 'nbf', 'iat', 'jti', 'aud']);

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const sign = (input: string, secret: Buffer): Buffer => createHmac('sha256', secret).update(input).digest();

export const signM2MJwt = (payload: M2MJwtPayload, secret: Buffer, kid: string): string => {
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT', kid })}.${encode(payload)}`;
  return `${signingInput}.${sign(signingInput, secret).toString('base64url')}`;
};

export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

const decodeJson = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
};

const isPayload = (value: unknown): value is M2MJwtPayload => {
  if (value === null || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.sub === 'string' &&
    typeof p.jti === 'string' &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    typeof p.iss === 'string'
  );
};

/** The payload when the signature checks out with `secret`; `undefined` for anything malformed or forged. */
export const verifyM2MJwtSignature = (token: string, secret: Buffer): M2MJwtPayload | undefined => {
  if (!looksLikeJwt(token)) return undefined;
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const headerJson = decodeJson(header) as { alg?: unknown } | undefined;
  if (headerJson?.alg !== 'HS256') return undefined;
  const expected = sign(`${header}.${payload}`, secret);
  const presented = Buffer.from(signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
  const decoded = decodeJson(payload);
  return isPayload(decoded) ? decoded : undefined;
};
