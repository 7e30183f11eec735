/** The clock port: milliseconds since the epoch. Injected everywhere so tests can move time. */
export interface Clock {
  now(): number;
}

/** The waiting port: resolves after `ms` milliseconds of the clock's time. */
export type Sleep = (ms: number) => Promise<void>;
