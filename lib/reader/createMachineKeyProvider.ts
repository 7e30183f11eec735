import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type Clock, systemClock } from '../Clock.ts';
import { Stage } from '../constants.ts';
import { ConfigError, ErrorCode, isRotatorError, SecretFormatError, SecretStoreError } from '../errors.ts';
import type { Logger } from '../Logger.ts';
import { parseMachineSecret } from '../secretFormat.ts';
import { isTransientSecretsManagerError } from './isTransientSecretsManagerError.ts';
import type { MachineKey, MachineKeyProvider } from './MachineKeyProvider.ts';
import { sendWithTimeout } from './sendWithTimeout.ts';
import { withMachineKey } from './withMachineKey.ts';

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
   * (throttling, 5xx, network, timeout), in milliseconds. 0 never serves a stale value.
   * Never applies to AccessDenied, ResourceNotFound or a malformed value.
   * @default 900000 (15 minutes)
   */
  readonly maxStaleMs?: number;
  /** Forced refreshes (refresh(), a 401 in withMachineKey) closer together than this are coalesced. @default 10000 */
  readonly minForcedRefreshIntervalMs?: number;
  /** Gives up on one GetSecretValue after this long (all concurrent callers wait on it). @default 5000 */
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
  /** @default silent */
  readonly logger?: Pick<Logger, 'debug' | 'warn'>;
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

/** After a failed read, no new read starts for this long (doubling per consecutive failure, up to the cap). */
const FAILURE_BACKOFF_MS = { initial: 1_000, max: 30_000 } as const;
const DAY_MS = 86_400_000;

const silentLogger: Pick<Logger, 'debug' | 'warn'> = { debug() {}, warn() {} };

/** The cache key of one provider: the secret and the version stage, so AWSCURRENT and AWSPREVIOUS never mix. */
export function machineKeyCacheKey(secretId: string, versionStage: string): string {
  return JSON.stringify([secretId, versionStage]);
}

function assertDurationMs(setting: string, value: number, min: number, max: number): number {
  // The mistake other caching libraries shipped: a number of seconds where milliseconds are expected.
  if (Number.isInteger(value) && value > 0 && value < 1_000) {
    throw new ConfigError(
      setting,
      `is in milliseconds and ${value} ms is less than a second; if you meant ${value} seconds, pass ${value * 1_000}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(setting, `must be a whole number of milliseconds from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof SecretStoreError) return error.awsErrorName ?? error.code;
  if (isRotatorError(error)) return error.code;
  return error instanceof Error ? error.name : undefined;
}

function assertName(setting: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 2_048) {
    throw new ConfigError(setting, 'must be a non-empty string of at most 2048 characters');
  }
  return value;
}

interface CachedKey {
  readonly key: MachineKey;
  /** Reused on the hot path so a cache hit allocates nothing. */
  readonly settled: Promise<MachineKey>;
  readonly fetchedAt: number;
  /** fetchedAt + maxAge × jitter, or earlier after invalidate(). */
  expiresAt: number;
}

interface FailedRead {
  readonly error: unknown;
  readonly transient: boolean;
  /** No new read before this time. */
  readonly retryAt: number;
}

/**
 * A cached reader for one machine secret (one secret id, one version stage).
 * - Hot path: a cached value younger than maxAge is returned without I/O.
 * - Single flight: however many callers find the value expired, one GetSecretValue is in flight.
 * - Stale on transient errors only, up to maxStaleMs past maxAge; AccessDenied, ResourceNotFound and malformed
 *   values always throw (SecretStoreError, SecretFormatError).
 * - After a failure, reads back off (1 s doubling to 30 s): a broken secret does not cost one call per request.
 * All durations are milliseconds; the injected clock returns epoch milliseconds.
 */
export function createMachineKeyProvider(options: MachineKeyProviderOptions): MachineKeyProvider {
  const secretId = assertName('secretId', options.secretId);
  const versionStage = assertName('versionStage', options.versionStage ?? Stage.current);
  const maxAgeMs = assertDurationMs('maxAgeMs', options.maxAgeMs ?? ReaderDefaults.maxAgeMs, 1_000, DAY_MS);
  const maxStaleMs = assertDurationMs('maxStaleMs', options.maxStaleMs ?? ReaderDefaults.maxStaleMs, 0, DAY_MS);
  const minForcedRefreshIntervalMs = assertDurationMs(
    'minForcedRefreshIntervalMs',
    options.minForcedRefreshIntervalMs ?? ReaderDefaults.minForcedRefreshIntervalMs,
    0,
    3_600_000,
  );
  const requestTimeoutMs = assertDurationMs(
    'requestTimeoutMs',
    options.requestTimeoutMs ?? ReaderDefaults.requestTimeoutMs,
    1_000,
    60_000,
  );
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const cacheKey = machineKeyCacheKey(secretId, versionStage);

  let cached: CachedKey | undefined;
  let inflight: Promise<MachineKey> | undefined;
  let failure: FailedRead | undefined;
  let consecutiveFailures = 0;
  let lastForcedAt = Number.NEGATIVE_INFINITY;
  let warnedAboutOverlap = false;
  /** What Secrets Manager told us the secret is called, to recognise it in notifications. */
  const aliases = new Set<string>([secretId]);

  const logFields = () => ({ secretArn: [...aliases].find((a) => a.startsWith('arn:')) ?? secretId });

  function jitteredMaxAgeMs(): number {
    const factor = 1 + (random() * 2 - 1) * ReaderDefaults.maxAgeJitter;
    return Math.round(maxAgeMs * factor);
  }

  function warnIfOverlapTooShort(key: MachineKey): void {
    if (warnedAboutOverlap || key.rotatedAt === undefined || key.previousKeyExpiresAt === undefined) return;
    const overlapMs = Date.parse(key.previousKeyExpiresAt) - Date.parse(key.rotatedAt);
    if (!Number.isFinite(overlapMs) || maxAgeMs + maxStaleMs <= overlapMs / 2) return;
    warnedAboutOverlap = true;
    const overlap =
      overlapMs > 0
        ? `the previous key's overlap (${overlapMs} ms between rotatedAt and previousKeyExpiresAt)`
        : "the previous key's overlap, which this version records as none (a previous-key TTL of 0, or a key adopted " +
          'from a rotation made outside the rotator)';
    logger.warn(
      `maxAgeMs (${maxAgeMs}) + maxStaleMs (${maxStaleMs}) = ${maxAgeMs + maxStaleMs} ms is more than half of ` +
        `${overlap}: after a rotation this reader may keep using a key Clerk has already expired. Keep maxAgeMs + ` +
        `maxStaleMs at most ${Math.max(0, Math.floor(overlapMs / 2))} ms, or rotate with a longer previous-key TTL; ` +
        'until then withMachineKey refreshes after a 401.',
      { ...logFields(), versionId: key.versionId, machineId: key.machineId, outcome: 'overlap-too-short' },
    );
  }

  function toStoreError(error: unknown, note = ''): SecretStoreError {
    const name = error instanceof Error ? error.name : undefined;
    // SDK messages name the secret, the caller and the missing permission; never a secret value.
    const message = error instanceof Error ? error.message : String(error);
    return new SecretStoreError(
      'GetSecretValue',
      name,
      `${name ?? 'Error'}: ${message} (secret ${secretId}, stage ${versionStage})${note}`,
      { cause: error },
    );
  }

  async function readSecret(): Promise<MachineKey> {
    let output: GetSecretValueCommandOutput;
    try {
      output = await sendWithTimeout(
        (abortSignal) =>
          client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }), { abortSignal }),
        requestTimeoutMs,
      );
    } catch (error) {
      throw toStoreError(error);
    }
    const where = `${versionStage} of ${output.ARN ?? secretId}`;
    const secret = parseMachineSecret(output.SecretString, where);
    if (output.VersionId === undefined || output.VersionId === '') {
      throw new SecretFormatError(ErrorCode.secretFormatInvalid, `${where}: GetSecretValue returned no VersionId`);
    }
    if (output.ARN) aliases.add(output.ARN);
    if (output.Name) aliases.add(output.Name);
    return {
      machineId: secret.machineId,
      secretKey: secret.secretKey,
      versionId: output.VersionId,
      rotatedAt: secret.rotatedAt,
      previousKeyExpiresAt: secret.previousKeyExpiresAt,
    };
  }

  /** The cached value a failed read may fall back to, if any. */
  function staleFallback(failed: Pick<FailedRead, 'transient'>, now: number): CachedKey | undefined {
    const fallback = cached;
    if (!failed.transient || fallback === undefined || maxStaleMs === 0) return undefined;
    return now - fallback.expiresAt <= maxStaleMs ? fallback : undefined;
  }

  /** The answer to a failed read: the cached value when the failure is transient and within the bound, else throw. */
  function staleOrThrow(failed: FailedRead, now: number): Promise<MachineKey> {
    const fallback = staleFallback(failed, now);
    if (fallback !== undefined) return fallback.settled;
    if (failed.transient && cached !== undefined && failed.error instanceof SecretStoreError) {
      const note = `; not serving cached version ${cached.key.versionId}: ${now - cached.expiresAt} ms past maxAge is beyond maxStaleMs (${maxStaleMs})`;
      return Promise.reject(toStoreError(failed.error.cause, note));
    }
    return Promise.reject(failed.error);
  }

  function startRead(): Promise<MachineKey> {
    const started = clock.now();
    const read = readSecret().then(
      (key) => {
        const now = clock.now();
        const previous = cached?.key;
        cached = { key, settled: Promise.resolve(key), fetchedAt: now, expiresAt: now + jitteredMaxAgeMs() };
        failure = undefined;
        consecutiveFailures = 0;
        logger.debug(previous?.versionId === key.versionId ? 'machine key re-read' : 'machine key version read', {
          ...logFields(),
          versionId: key.versionId,
          machineId: key.machineId,
          durationMs: now - started,
          outcome: previous === undefined || previous.versionId === key.versionId ? 'read' : 'version-changed',
        });
        warnIfOverlapTooShort(key);
        return key;
      },
      (error: unknown) => {
        const now = clock.now();
        consecutiveFailures += 1;
        const backoffMs = Math.min(FAILURE_BACKOFF_MS.max, FAILURE_BACKOFF_MS.initial * 2 ** (consecutiveFailures - 1));
        const transient = isTransientSecretsManagerError(error);
        failure = { error, transient, retryAt: now + backoffMs };
        const stale = staleFallback(failure, now) !== undefined;
        logger.warn(
          stale
            ? `reading the machine key failed transiently; serving cached version ${cached?.key.versionId} (at most ${maxStaleMs} ms past maxAge)`
            : `reading the machine key failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            ...logFields(),
            versionId: cached?.key.versionId,
            outcome: stale ? 'served-stale' : 'read-failed',
            errorCode: errorCodeOf(error),
            durationMs: now - started,
          },
        );
        return staleOrThrow(failure, now);
      },
    );
    inflight = read;
    const clear = () => {
      if (inflight === read) inflight = undefined;
    };
    read.then(clear, clear);
    return read;
  }

  function load(): Promise<MachineKey> {
    if (inflight !== undefined) return inflight;
    const now = clock.now();
    if (failure !== undefined && now < failure.retryAt) return staleOrThrow(failure, now);
    return startRead();
  }

  const provider: MachineKeyProvider = {
    secretId,
    versionStage,
    cacheKey,

    get() {
      if (cached !== undefined && clock.now() < cached.expiresAt) return cached.settled;
      return load();
    },

    refresh() {
      if (inflight !== undefined) return inflight;
      const now = clock.now();
      if (now - lastForcedAt < minForcedRefreshIntervalMs) return provider.get();
      lastForcedAt = now;
      if (failure !== undefined && now < failure.retryAt) return staleOrThrow(failure, now);
      return startRead();
    },

    invalidate(versionId) {
      if (cached === undefined) return false;
      if (versionId !== undefined && cached.key.versionId === versionId && versionStage === Stage.current) return false;
      cached.expiresAt = Math.min(cached.expiresAt, clock.now());
      return true;
    },

    matchesSecretId(candidate) {
      return aliases.has(candidate);
    },

    withMachineKey(fn) {
      return withMachineKey(provider, fn, { logger });
    },
  };
  return provider;
}
