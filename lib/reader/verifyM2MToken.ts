import { type ClerkTransportOptions, sendClerkRequest } from '../clerk/sendClerkRequest.ts';
import { ClerkApiError, ConfigError, ErrorCode } from '../errors.ts';
import type { Logger } from '../Logger.ts';
import { Redacted } from '../Redacted.ts';
import { type M2MTokenInfo, parseM2MTokenInfo } from './M2MToken.ts';
import type { MachineKeyProvider } from './MachineKeyProvider.ts';
import { withMachineKey } from './withMachineKey.ts';

interface VerifyBase extends ClerkTransportOptions {
  /** The bearer token presented to you (`mt_…` or a JWT-format M2M token). */
  readonly token: string | Redacted;
  readonly logger?: Pick<Logger, 'debug' | 'warn'>;
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

/**
 * POST /m2m_tokens/verify. A token Clerk does not know (404), refuses as malformed (400/422), or reports as revoked
 * or expired is an ordinary outcome: `{ valid: false, reason }`. A problem with *our* key or with Clerk (401, 403,
 * 429 after retries, 5xx, network) throws ClerkApiError — answer your caller with 503, not 401.
 */
export async function verifyM2MToken(options: VerifyM2MTokenOptions): Promise<M2MTokenVerification> {
  const token = options.token instanceof Redacted ? options.token : new Redacted(options.token);
  if (token.reveal().length === 0) throw new ConfigError('token', 'must be a non-empty string');

  const verifyWith = async (key: Redacted): Promise<M2MTokenVerification> => {
    let body: unknown;
    try {
      body = await sendClerkRequest(options, {
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
  };

  if (options.provider !== undefined) {
    return withMachineKey(options.provider, (key) => verifyWith(key.secretKey), { logger: options.logger });
  }
  if (!(options.secretKey instanceof Redacted)) {
    throw new ConfigError('secretKey', 'must be a Redacted instance or machine key, or pass a provider');
  }
  return verifyWith(options.secretKey);
}
