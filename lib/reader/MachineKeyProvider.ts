import type { Redacted } from '../Redacted.ts';

/** One version of a machine secret, as the reader hands it to application code. */
export interface MachineKey {
  readonly machineId: string;
  /** `ak_…`; printing it shows `[redacted]`, `reveal()` reads it. */
  readonly secretKey: Redacted;
  /** The Secrets Manager version id: changes exactly when the key changes. */
  readonly versionId: string;
  /** ISO-8601 UTC; when the rotation that produced this version staged it. */
  readonly rotatedAt?: string | undefined;
  /** ISO-8601 UTC; when the key this version replaced stops working at Clerk. */
  readonly previousKeyExpiresAt?: string | undefined;
}

export interface MachineKeyProvider {
  readonly secretId: string;
  readonly versionStage: string;
  /** Identifies what is cached: the secret and the version stage (two stages of one secret never share a value). */
  readonly cacheKey: string;
  /**
   * The cached key while it is younger than maxAge; otherwise one GetSecretValue shared by all concurrent callers.
   * On a transient failure a cached key up to maxStaleMs past its maxAge is served instead of the error.
   */
  get(): Promise<MachineKey>;
  /**
   * Re-reads now, ignoring maxAge (use after Clerk rejected the key). Coalesced: within
   * minForcedRefreshIntervalMs of the previous forced read it joins the read in flight or returns the cached key.
   */
  refresh(): Promise<MachineKey>;
  /**
   * Marks the cached key as expired so that the next get() reads again (it stays available as a stale fallback).
   * With a versionId that is already cached, nothing changes. Returns whether the cache was invalidated.
   */
  invalidate(versionId?: string): boolean;
  /** Whether a notification's secretId (usually the full ARN) names this provider's secret. */
  matchesSecretId(secretId: string): boolean;
  /** Runs `fn` with the current key; after a Clerk 401, refreshes and runs it once more if the key changed. */
  withMachineKey<T>(fn: (key: MachineKey) => Promise<T>): Promise<T>;
}
