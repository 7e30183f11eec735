import { sendClerkRequest } from '../clerk/sendClerkRequest.ts';
import { describeValue } from '../describeValue.ts';
import { ConfigError } from '../errors.ts';
import { assertMachineKey } from '../secretFormat.ts';
import { type M2MToken, parseCreatedM2MToken } from './M2MToken.ts';
import type { MachineKeyProvider } from './MachineKeyProvider.ts';
import type { ReaderLogger } from './ReaderLogger.ts';
import { type ReaderClerkOptions, resolveClerkTransport } from './resolveClerkTransport.ts';
import { withMachineKey } from './withMachineKey.ts';

export type M2MTokenFormat = 'opaque' | 'jwt';

export interface CreateM2MTokenOptions extends ReaderClerkOptions {
  readonly provider: Pick<MachineKeyProvider, 'get' | 'refresh' | 'secretId'>;
  /** Token lifetime in **seconds** (Clerk's unit here). @default the machine's default TTL at Clerk */
  readonly secondsUntilExpiration?: number;
  /** Custom claims stored with the token (JSON). */
  readonly claims?: unknown;
  /** @default opaque */
  readonly tokenFormat?: M2MTokenFormat;
  /**
   * Clerk's server-side reuse for opaque tokens: an existing live token with the same claims and at least this many
   * **seconds** left is returned instead of minting (and billing) a new one. Must be below the token lifetime.
   */
  readonly minRemainingTtlSeconds?: number;
  readonly logger?: ReaderLogger;
}

const OPERATION = 'createM2MToken';

function validate(options: CreateM2MTokenOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const { secondsUntilExpiration: seconds, minRemainingTtlSeconds: minRemaining, tokenFormat } = options;
  if (seconds !== undefined) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
      throw new ConfigError(
        'secondsUntilExpiration',
        `must be a positive number of seconds, got ${describeValue(seconds)}`,
      );
    }
    body.seconds_until_expiration = seconds;
  }
  if (minRemaining !== undefined) {
    if (!Number.isInteger(minRemaining) || minRemaining < 0) {
      throw new ConfigError(
        'minRemainingTtlSeconds',
        `must be a whole number of seconds ≥ 0, got ${describeValue(minRemaining)}`,
      );
    }
    if (seconds !== undefined && minRemaining >= seconds) {
      throw new ConfigError(
        'minRemainingTtlSeconds',
        `must be less than secondsUntilExpiration (${seconds}), got ${minRemaining}: no new token could satisfy it`,
      );
    }
    body.min_remaining_ttl_seconds = minRemaining;
  }
  if (tokenFormat !== undefined) {
    if (tokenFormat !== 'opaque' && tokenFormat !== 'jwt') {
      throw new ConfigError('tokenFormat', `must be "opaque" or "jwt", got ${describeValue(tokenFormat)}`);
    }
    body.token_format = tokenFormat;
  }
  if (options.claims !== undefined) body.claims = options.claims;
  return body;
}

/**
 * Creates an M2M token with the machine key from `provider`: POST /m2m_tokens, the machine key as Bearer.
 * A create is not idempotent (each one mints and bills a token), so it is retried only where Clerk cannot have
 * processed it: on 429 (after Retry-After), and once after a 401 when the provider finds a newer key version
 * (the key was rotated since we cached it). Options are checked before the key is read (ConfigError); a key that
 * is not a machine key, or holds characters a key cannot contain, is refused unsent (SecretFormatError). Clerk's
 * failures throw ClerkApiError.
 */
export async function createM2MToken(options: CreateM2MTokenOptions): Promise<M2MToken> {
  const body = validate(options);
  const transport = resolveClerkTransport(options);
  const { provider } = options;
  return withMachineKey(
    provider,
    async (key) => {
      const where = `${OPERATION}: version ${key.versionId} of ${provider.secretId}`;
      const response = await sendClerkRequest(transport, {
        operation: OPERATION,
        method: 'POST',
        path: '/m2m_tokens',
        key: assertMachineKey(key.secretKey.reveal(), where),
        body,
        retry: 'rotate',
      });
      return parseCreatedM2MToken(response, OPERATION, key.versionId);
    },
    { logger: options.logger },
  );
}
