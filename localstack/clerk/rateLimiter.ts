import type { Clock } from '../common/Clock.ts';
import { InvalidEmulatorOptionError } from './errors.ts';

export interface RateLimitOptions {
  /** Requests allowed per window and bucket. */
  readonly limit: number;
  readonly windowMs: number;
}

/** Clerk's documented limit for development instances (production: 1000 / 10 s). */
export const DEVELOPMENT_INSTANCE_RATE_LIMIT: RateLimitOptions = { limit: 100, windowMs: 10_000 };

export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Window {
  readonly startedAt: number;
  count: number;
}

const validate = (options: RateLimitOptions): RateLimitOptions => {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new InvalidEmulatorOptionError('rateLimit.limit', `must be a positive integer, got ${options.limit}`);
  }
  if (!Number.isFinite(options.windowMs) || options.windowMs <= 0) {
    throw new InvalidEmulatorOptionError('rateLimit.windowMs', `must be a positive number, got ${options.windowMs}`);
  }
  return options;
};

/**
 * Fixed-window limiter keyed by bucket. The emulator uses one bucket per instance (requests made with the instance
 * key) and one per machine (requests made with any of that machine's keys, so a rotation does not reset the
 * budget). A refused request does not count; `Retry-After` is the rest of the window in whole seconds, at least 1.
 */
export class RateLimiter {
  readonly #clock: Clock;
  #options: RateLimitOptions | false;
  readonly #windows = new Map<string, Window>();

  constructor(options: RateLimitOptions | false, clock: Clock) {
    this.#options = options === false ? false : validate(options);
    this.#clock = clock;
  }

  get options(): RateLimitOptions | false {
    return this.#options;
  }

  /** Changes limit/window (or disables with `false`) and starts every bucket afresh. */
  configure(options: RateLimitOptions | false): void {
    this.#options = options === false ? false : validate(options);
    this.#windows.clear();
  }

  reset(): void {
    this.#windows.clear();
  }

  consume(bucket: string): RateLimitDecision {
    if (this.#options === false) return { allowed: true };
    const { limit, windowMs } = this.#options;
    const now = this.#clock.now();
    let window = this.#windows.get(bucket);
    if (window === undefined || now >= window.startedAt + windowMs) {
      window = { startedAt: now, count: 0 };
      this.#windows.set(bucket, window);
    }
    if (window.count >= limit) {
      const remainingMs = window.startedAt + windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
    }
    window.count += 1;
    return { allowed: true };
  }
}
