import type { Clock, Sleep } from '../Clock.ts';

/** Spaces calls so that no more than `perSecond` start in any second, per key (one Clerk instance each). */
export interface RatePacer {
  /** Resolves when a call for `key` may start. */
  take(key: string): Promise<void>;
}

/**
 * A token bucket without burst: each key's calls start at least `1 / perSecond` apart, so over any 10 s no more than
 * `perSecond × 10` (+1) start — the share of Clerk's per-instance limit the verification may use, and no more.
 */
export function createRatePacer(options: { perSecond: number; clock: Clock; sleep: Sleep }): RatePacer {
  const gapMs = 1000 / options.perSecond;
  const nextSlot = new Map<string, number>();
  return {
    async take(key) {
      const now = options.clock.now();
      const slot = Math.max(now, nextSlot.get(key) ?? now);
      nextSlot.set(key, slot + gapMs);
      if (slot > now) await options.sleep(slot - now);
    },
  };
}
