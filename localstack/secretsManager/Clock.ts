import type { Clock } from '../../lib/Clock.ts';

/** The emulator's clock port is the project's own (milliseconds since the epoch). */
export type { Clock };

/** Reads the real time: the emulator's default. */
export const createSystemClock = (): Clock => ({ now: () => Date.now() });
