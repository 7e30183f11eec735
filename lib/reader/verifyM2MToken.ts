import { type ClerkTransportOptions, sendClerkRequest } from '../clerk/sendClerkRequest.ts';
import { ClerkApiError, ConfigError, ErrorCode } from '../errors.ts';
import { Redacted } from '../Redacted.ts';
import { assertMachineKey } from '../secretFormat.ts';
import { assertClerkKey } from './assertClerkKey.ts';
import { isBearerTokenShaped, type M2MTokenInfo, parseM2MTokenInfo } from './M2MToken.ts';
import type { MachineKeyProvider } from './MachineKeyProvider.ts';
import type { ReaderLogger } from './ReaderLogger.ts';
import { type ReaderClerkOptions, resolveClerkTransport } from './resolveClerkTransport.ts';
import { withMachineKey } from './withMachineKey.ts';

interface VerifyBase extends ReaderClerkOptions {
  /**
   * The bearer token presented to you (`mt_…` or a JWT-format M2M token). One that a bearer token cannot be
   * (characters outside RFC 6750's b64token, or longer than MAX_M2M_TOKEN_LENGTH) is `{ valid: false, reason:
   * 'invalid' }` without a call to Clerk: it is the presenter's mistake, not ours.
   */
  readonly token: string | Redacted;
  readonly logger?: ReaderLogger;
}

/**
 * Verify either with a machine key from a provider (the token must be scoped to that machine; a 401 after a
 * rotation is retried once like createM2MToken) or with a fixed key (the instance key `sk_…` verifies any token of
 * the instance).
 */
export type VerifyM2MTokenOptions =
  | (VerifyBase & {
      readonly provider: Pick<MachineKeyProvider, 'get' | 'refresh' | 'secretId'>;
      readonly secretKey?: never;
    })
  | (VerifyBase & { readonly secretKey: Redacted; readonly provider?: never });

export type M2MTokenRejection = 'not_found' | 'revoked' | 'expired' | 'invalid';

export type M2MTokenVerification =
  | { readonly valid: true; readonly token: M2MTokenInfo }
  | {
      readonly valid: false;
      readonly reason: M2MTokenRejection;
      /** Present when Clerk answered with an error (404, 400, 422). */
      readonly clerkCode?: string | undefined;
      readonly clerkTraceId?: string | undefined;
    };

const OPERATION = 'verifyM2MToken';
const NOT_A_BEARER_TOKEN: M2MTokenVerification = { valid: false, reason: 'invalid' };

async function verifyWith(
  transport: ClerkTransportOptions,
  key: Redacted,
  token: Redacted,
): Promise<M2MTokenVerification> {
  let body: unknown;
  try {
    body = await sendClerkRequest(transport, {
      operation: OPERATION,
      method: 'POST',
      path: '/m2m_tokens/verify',
      key,
      body: { token: token.reveal() },
      retry: 'safe',
    });
  } catch (error) {
    if (
      error instanceof ClerkApiError &&
      (error.code === ErrorCode.clerkNotFound || (error.code === ErrorCode.clerkBadRequest && error.status !== 409))
    ) {
      return {
        valid: false,
        reason: error.code === ErrorCode.clerkNotFound ? 'not_found' : 'invalid',
        clerkCode: error.clerkCode,
        clerkTraceId: error.clerkTraceId,
      };
    }
    throw error;
  }
  const info = parseM2MTokenInfo(body, OPERATION, false);
  if (info.revoked) return { valid: false, reason: 'revoked' };
  if (info.expired) return { valid: false, reason: 'expired' };
  return { valid: true, token: info };
}

function fixedKeyOf(options: VerifyM2MTokenOptions): Redacted {
  if (!(options.secretKey instanceof Redacted)) {
    throw new ConfigError('secretKey', 'must be a Redacted instance or machine key, or pass a provider');
  }
  return assertClerkKey(options.secretKey, `${OPERATION}: secretKey`);
}

/**
 * POST /m2m_tokens/verify. A token Clerk does not know (404), refuses as malformed (400/422), or reports as revoked
 * or expired is an ordinary outcome: `{ valid: false, reason }`; so is a token no bearer token can be, which is not
 * sent. A problem with *our* key or with Clerk (401, 403, 429 after retries, 5xx, network) throws ClerkApiError —
 * answer your caller with 503, not 401; a key with characters a key cannot contain throws SecretFormatError (or
 * INSTANCE_KEY_INVALID for a fixed `sk_…` key) before anything is sent.
 */
export async function verifyM2MToken(options: VerifyM2MTokenOptions): Promise<M2MTokenVerification> {
  const token = options.token instanceof Redacted ? options.token : new Redacted(options.token);
  if (token.reveal().length === 0) throw new ConfigError('token', 'must be a non-empty string');
  const transport = resolveClerkTransport(options);
  const { provider } = options;
  if (provider === undefined) {
    const key = fixedKeyOf(options);
    return isBearerTokenShaped(token.reveal()) ? verifyWith(transport, key, token) : NOT_A_BEARER_TOKEN;
  }
  if (!isBearerTokenShaped(token.reveal())) return NOT_A_BEARER_TOKEN;
  return withMachineKey(
    provider,
    (key) => {
      const where = `${OPERATION}: version ${key.versionId} of ${provider.secretId}`;
      return verifyWith(transport, assertMachineKey(key.secretKey.reveal(), where), token);
    },
    { logger: options.logger },
  );
}
