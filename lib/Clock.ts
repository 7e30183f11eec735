import type { Clock, Sleep } from './core/Clock.ts';

export type { Clock, Sleep };

/** The real time: the clock port's production implementation. */
export const systemClock: Clock = { now: () => Date.now() };

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
