import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isTransientAwsError } from '../aws/classifyAwsError.ts';
import { toStoreError } from '../aws/storeCall.ts';
import { Stage } from '../constants.ts';
import { isRotatorError, SecretStoreError } from '../errors.ts';
import type { LogFields } from '../Logger.ts';
import { describeOverlapProblem } from './describeOverlapProblem.ts';
import type { MachineKey } from './MachineKeyProvider.ts';
import { ReaderDefaults } from './MachineKeyProviderOptions.ts';
import { type MachineKeyRead, readMachineKey } from './readMachineKey.ts';
import type { ProviderSettings } from './resolveProviderSettings.ts';

/** After a failed read, no new read starts for this long (doubling per consecutive failure, up to the cap). */
const FAILURE_BACKOFF_MS = { initial: 1_000, max: 30_000 } as const;

interface CachedKey {
  readonly key: MachineKey;
  /** Reused on the hot path so a cache hit allocates nothing. */
  readonly settled: Promise<MachineKey>;
  /** fetchedAt + maxAge × jitter, or earlier after invalidate(). */
  expiresAt: number;
}

interface FailedRead {
  readonly error: unknown;
  readonly transient: boolean;
  /** No new read before this time. */
  readonly retryAt: number;
}

function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof SecretStoreError) return error.awsErrorName ?? error.code;
  if (isRotatorError(error)) return error.code;
  return error instanceof Error ? error.name : undefined;
}

/**
 * The state behind one provider: the cached key, the read in flight, the last failure and its backoff. Every
 * decision about serving, reading, falling back to a stale value or throwing is made here.
 */
export class MachineKeyCache {
  readonly #settings: ProviderSettings;
  readonly #client: SecretsManagerClient;
  /** What Secrets Manager told us the secret is called, to recognise it in notifications. */
  readonly #aliases: Set<string>;
  #cached: CachedKey | undefined;
  #inflight: Promise<MachineKey> | undefined;
  #failure: FailedRead | undefined;
  #consecutiveFailures = 0;
  #lastForcedAt = Number.NEGATIVE_INFINITY;
  #warnedAboutOverlap = false;

  constructor(settings: ProviderSettings, client: SecretsManagerClient) {
    this.#settings = settings;
    this.#client = client;
    this.#aliases = new Set([settings.secretId]);
  }

  get(): Promise<MachineKey> {
    const cached = this.#cached;
    if (cached !== undefined && this.#settings.clock.now() < cached.expiresAt) return cached.settled;
    if (this.#inflight !== undefined) return this.#inflight;
    return this.#readUnlessBackingOff(this.#settings.clock.now());
  }

  refresh(): Promise<MachineKey> {
    if (this.#inflight !== undefined) return this.#inflight;
    const now = this.#settings.clock.now();
    if (now - this.#lastForcedAt < this.#settings.minForcedRefreshIntervalMs) return this.get();
    this.#lastForcedAt = now;
    return this.#readUnlessBackingOff(now);
  }

  invalidate(versionId: string | undefined): boolean {
    const cached = this.#cached;
    if (cached === undefined) return false;
    if (
      versionId !== undefined &&
      cached.key.versionId === versionId &&
      this.#settings.versionStage === Stage.current
    ) {
      return false;
    }
    cached.expiresAt = Math.min(cached.expiresAt, this.#settings.clock.now());
    return true;
  }

  matchesSecretId(candidate: string): boolean {
    return this.#aliases.has(candidate);
  }

  #readUnlessBackingOff(now: number): Promise<MachineKey> {
    const failure = this.#failure;
    if (failure !== undefined && now < failure.retryAt) return this.#staleOrThrow(failure, now);
    return this.#startRead();
  }

  #startRead(): Promise<MachineKey> {
    const { clock, secretId, versionStage, requestTimeoutMs } = this.#settings;
    const started = clock.now();
    const read = readMachineKey(this.#client, { secretId, versionStage, timeoutMs: requestTimeoutMs }).then(
      (result) => this.#recordRead(result, started),
      (error: unknown) => this.#recordFailure(error, started),
    );
    this.#inflight = read;
    const clear = () => {
      if (this.#inflight === read) this.#inflight = undefined;
    };
    read.then(clear, clear);
    return read;
  }

  #recordRead({ key, aliases }: MachineKeyRead, started: number): MachineKey {
    const now = this.#settings.clock.now();
    const previous = this.#cached?.key;
    for (const alias of aliases) this.#aliases.add(alias);
    this.#cached = { key, settled: Promise.resolve(key), expiresAt: now + this.#jitteredMaxAgeMs() };
    this.#failure = undefined;
    this.#consecutiveFailures = 0;
    this.#settings.logger.debug(
      previous?.versionId === key.versionId ? 'machine key re-read' : 'machine key version read',
      {
        ...this.#logFields(),
        versionId: key.versionId,
        machineId: key.machineId,
        durationMs: now - started,
        outcome: previous === undefined || previous.versionId === key.versionId ? 'read' : 'version-changed',
      },
    );
    this.#warnIfOverlapTooShort(key);
    return key;
  }

  #recordFailure(error: unknown, started: number): Promise<MachineKey> {
    const { clock, logger, maxStaleMs } = this.#settings;
    const now = clock.now();
    this.#consecutiveFailures += 1;
    const backoffMs = Math.min(
      FAILURE_BACKOFF_MS.max,
      FAILURE_BACKOFF_MS.initial * 2 ** (this.#consecutiveFailures - 1),
    );
    const failure: FailedRead = { error, transient: isTransientAwsError(error), retryAt: now + backoffMs };
    this.#failure = failure;
    const cachedVersion = this.#cached?.key.versionId;
    const stale = this.#staleFallback(failure, now) !== undefined;
    logger.warn(
      stale
        ? `reading the machine key failed transiently; serving cached version ${cachedVersion} (at most ${maxStaleMs} ms past maxAge)`
        : `reading the machine key failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        ...this.#logFields(),
        versionId: cachedVersion,
        outcome: stale ? 'served-stale' : 'read-failed',
        errorCode: errorCodeOf(error),
        durationMs: now - started,
      },
    );
    return this.#staleOrThrow(failure, now);
  }

  /** The cached value a failed read may fall back to: only after a transient failure, within maxStaleMs. */
  #staleFallback(failed: FailedRead, now: number): CachedKey | undefined {
    const fallback = this.#cached;
    const { maxStaleMs } = this.#settings;
    if (!failed.transient || fallback === undefined || maxStaleMs === 0) return undefined;
    return now - fallback.expiresAt <= maxStaleMs ? fallback : undefined;
  }

  /** The answer to a failed read: the cached value when the failure is transient and within the bound, else throw. */
  #staleOrThrow(failed: FailedRead, now: number): Promise<MachineKey> {
    const fallback = this.#staleFallback(failed, now);
    if (fallback !== undefined) return fallback.settled;
    const cached = this.#cached;
    if (failed.transient && cached !== undefined && failed.error instanceof SecretStoreError) {
      const { secretId, versionStage, maxStaleMs } = this.#settings;
      const note = `; not serving cached version ${cached.key.versionId}: ${now - cached.expiresAt} ms past maxAge is beyond maxStaleMs (${maxStaleMs})`;
      return Promise.reject(toStoreError('GetSecretValue', failed.error.cause, { secretId, versionStage, note }));
    }
    return Promise.reject(failed.error);
  }

  #jitteredMaxAgeMs(): number {
    const factor = 1 + (this.#settings.random() * 2 - 1) * ReaderDefaults.maxAgeJitter;
    return Math.round(this.#settings.maxAgeMs * factor);
  }

  #warnIfOverlapTooShort(key: MachineKey): void {
    if (this.#warnedAboutOverlap) return;
    const problem = describeOverlapProblem(key, this.#settings.maxAgeMs, this.#settings.maxStaleMs);
    if (problem === undefined) return;
    this.#warnedAboutOverlap = true;
    this.#settings.logger.warn(problem, {
      ...this.#logFields(),
      versionId: key.versionId,
      machineId: key.machineId,
      outcome: 'overlap-too-short',
    });
  }

  #logFields(): LogFields {
    return { secretArn: [...this.#aliases].find((alias) => alias.startsWith('arn:')) ?? this.#settings.secretId };
  }
}
