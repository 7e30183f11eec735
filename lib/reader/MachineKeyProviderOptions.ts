import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../Clock.ts';
import type { ReaderLogger } from './ReaderLogger.ts';

export interface MachineKeyProviderOptions {
  /** Name or ARN of the secret holding `{"machineId": "mch_…", "secretKey": "ak_…", …}`. */
  readonly secretId: string;
  readonly client: SecretsManagerClient;
  /**
   * How long a read value is used without asking Secrets Manager again, in **milliseconds**; each read draws a
   * jitter of ±10 % so that a fleet does not refresh in step. Keep maxAgeMs + maxStaleMs at most half the previous
   * key's overlap (the rotation's previous-key TTL); the provider warns once when it is not.
   * @default 300000 (5 minutes)
   */
  readonly maxAgeMs?: number;
  /** @default AWSCURRENT */
  readonly versionStage?: string;
  /**
   * How long past its maxAge a cached value may still be served while Secrets Manager fails transiently
   * (throttling, 5xx, network, timeout, a credential provider that failed, an expired session token), in
   * milliseconds. 0 never serves a stale value. Never applies to AccessDenied, ResourceNotFound or a malformed value.
   * @default 900000 (15 minutes)
   */
  readonly maxStaleMs?: number;
  /** Forced refreshes (refresh(), a 401 in withMachineKey) closer together than this are coalesced. @default 10000 */
  readonly minForcedRefreshIntervalMs?: number;
  /** Gives up on one GetSecretValue after this long (all concurrent callers wait on it). @default 5000 */
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
  /** @default silent */
  readonly logger?: ReaderLogger;
  /** Returns [0, 1); drives the maxAge jitter. @default Math.random */
  readonly random?: () => number;
}

export const ReaderDefaults = {
  maxAgeMs: 300_000,
  maxStaleMs: 900_000,
  minForcedRefreshIntervalMs: 10_000,
  requestTimeoutMs: 5_000,
  /** maxAge is multiplied by a factor drawn from [1 - jitter, 1 + jitter). */
  maxAgeJitter: 0.1,
} as const;
