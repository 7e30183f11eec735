import type { Clock } from '../../lib/Clock.ts';
import { InvalidEmulatorOptionError } from './errors.ts';

/** Both emulators use the project's clock port (milliseconds since the epoch). */
export type { Clock };

/** A clock that reads the real time: each emulator's default. */
export const createSystemClock = (): Clock => ({ now: () => Date.now() });

/**
 * A clock that only moves when told to, so tests and demos can fast-forward through key overlaps, rate-limit windows,
 * recovery windows and rotation schedules without waiting. One instance may drive both emulators.
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    if (!Number.isFinite(startMs))
      throw new InvalidEmulatorOptionError('ManualClock start', `must be a finite number, got ${startMs}`);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds (never backwards: neither service's clock runs backwards). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidEmulatorOptionError('advance()', `takes a finite, non-negative ms, got ${ms}`);
    }
    this.#now += ms;
  }
}

/**
 * Moves `clock` forward `scale`× faster than real time (every 2 ms) until the returned function is called: a
 * compressed but continuous time for runs that must fit minutes of the emulated services' time into seconds.
 */
export const driveManualClock = (clock: ManualClock, scale: number): (() => void) => {
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new InvalidEmulatorOptionError('timeScale', `must be a positive number, got ${scale}`);
  }
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    clock.advance((now - last) * scale);
    last = now;
  }, 2);
  timer.unref();
  return () => clearInterval(timer);
};
