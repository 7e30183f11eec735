import type { Clock, Sleep } from '../Clock.ts';

/** Spaces calls so that no more than `perSecond` start in any second, per key (one Clerk instance each). */
export interface RatePacer {
  /** Resolves when a call for `key` may start. */
  take(key: string): Promise<void>;
  /** When the next call of the busiest key may start (epoch ms): where a run handed on must resume its pacing. */
  resumeAt(): number | undefined;
}

/**
 * A token bucket without burst: each key's calls start at least `1 / perSecond` apart, so over any 10 s no more than
 * `perSecond × 10` (+1) start — the share of Clerk's per-instance limit the verification may use, and no more.
 */
export function createRatePacer(options: {
  perSecond: number;
  clock: Clock;
  sleep: Sleep;
  /** No call starts before this (a continuation resumes the pacing of the invocation that handed on). */
  notBefore?: number | undefined;
}): RatePacer {
  const gapMs = 1000 / options.perSecond;
  const nextSlot = new Map<string, number>();
  return {
    async take(key) {
      const now = options.clock.now();
      const slot = Math.max(now, nextSlot.get(key) ?? options.notBefore ?? now);
      nextSlot.set(key, slot + gapMs);
      if (slot > now) await options.sleep(slot - now);
    },
    resumeAt: () => (nextSlot.size === 0 ? options.notBefore : Math.max(...nextSlot.values())),
  };
}
