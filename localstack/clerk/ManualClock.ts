import type { Clock } from '../../lib/Clock.ts';

/** The emulator's clock port is the project's own (milliseconds since the epoch). */
export type { Clock };

/** A clock that reads the real time; the emulator's default. */
export const createSystemClock = (): Clock => ({ now: () => Date.now() });

/**
 * A clock that only moves when told to, so tests and demos can fast-forward through key overlaps and rate-limit
 * windows without waiting.
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    if (!Number.isFinite(startMs)) throw new RangeError(`ManualClock start must be a finite number, got ${startMs}`);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds (never backwards: Clerk's clock does not run backwards either). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance() takes a finite, non-negative ms, got ${ms}`);
    this.#now += ms;
  }
}
