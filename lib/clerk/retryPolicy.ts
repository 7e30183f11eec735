import pRetry from 'p-retry';
import type { Clock, Sleep } from '../Clock.ts';
import { ClerkApiError, ErrorCode } from '../errors.ts';

/**
 * The one retry policy for Clerk calls.
 * - Safe calls (reads, token listing) are retried on network errors, timeouts, 429 and 5xx with jittered backoff.
 * - A call that must not run twice ('rotate', e.g. creating an M2M token) is retried only on 429: Clerk did not
 *   process it.
 * - A machine-key rotate ('recorded') is never retried here: every send must first be recorded as in flight
 *   (lib/core/rotateRecords.ts), which only the caller can do. Any failure but a 4xx may have minted a key.
 * - A 429's Retry-After (seconds) is honoured; nothing waits past the deadline.
 */
export type RetryKind = 'safe' | 'rotate' | 'recorded';

export interface RetryOptions {
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** Longest Retry-After we are prepared to wait; longer ones fail fast (Secrets Manager will retry later). */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  retries: 3,
  minTimeoutMs: 200,
  maxTimeoutMs: 2_000,
  maxRetryAfterMs: 15_000,
};

const SAFE_RETRYABLE: ReadonlySet<string> = new Set([
  ErrorCode.clerkNetwork,
  ErrorCode.clerkTimeout,
  ErrorCode.clerkRateLimited,
  ErrorCode.clerkServerError,
]);

export function isRetryable(error: unknown, kind: RetryKind): boolean {
  if (!(error instanceof ClerkApiError)) return false;
  if (kind === 'recorded') return false;
  if (kind === 'rotate') return error.code === ErrorCode.clerkRateLimited;
  return SAFE_RETRYABLE.has(error.code);
}

export interface RetryContext {
  readonly kind: RetryKind;
  readonly options: RetryOptions;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Epoch ms; no attempt starts and no wait ends after it. */
  readonly deadline: number;
}

export async function withRetry<T>(run: () => Promise<T>, context: RetryContext): Promise<T> {
  const { kind, options, clock, sleep, deadline } = context;
  /** What a 429 asks us to wait; undefined when nothing is asked. */
  const retryAfterMs = (error: unknown) =>
    error instanceof ClerkApiError && error.retryAfterSeconds !== undefined
      ? error.retryAfterSeconds * 1000
      : undefined;
  // onFailedAttempt runs before shouldRetry: an error we already waited for needs no more time.
  const waited = new WeakSet<object>();
  const worthRetrying = (error: unknown): boolean => {
    if (!isRetryable(error, kind)) return false;
    const waitMs = waited.has(error as object) ? 0 : (retryAfterMs(error) ?? 0);
    return waitMs <= options.maxRetryAfterMs && clock.now() + waitMs + options.minTimeoutMs < deadline;
  };

  return pRetry(run, {
    retries: options.retries,
    factor: 2,
    minTimeout: options.minTimeoutMs,
    maxTimeout: options.maxTimeoutMs,
    randomize: true,
    onFailedAttempt: async ({ error, retriesLeft }) => {
      const waitMs = retryAfterMs(error);
      if (retriesLeft > 0 && waitMs !== undefined && worthRetrying(error)) {
        await sleep(waitMs);
        waited.add(error);
      }
    },
    shouldRetry: ({ error }) => worthRetrying(error),
  });
}
