/**
 * The emulator's clock port (milliseconds since the epoch). Structurally identical to the project's `Clock`, so any
 * clock the rest of the code base uses can be handed to the emulator.
 */
export interface Clock {
  now(): number;
}

/** Reads the real time: the emulator's default. */
export const createSystemClock = (): Clock => ({ now: () => Date.now() });
