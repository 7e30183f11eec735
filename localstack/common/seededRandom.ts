/** A random source in [0, 1). Injected so generated ids and probabilistic faults replay exactly for a given seed. */
export type RandomSource = () => number;

/**
 * mulberry32: tiny, fast and good enough for ARN suffixes, version ids and "does this request fail?". Nothing an
 * emulator draws from it is a credential (keys and tokens come from node:crypto), so a seeded generator is fine and
 * makes runs reproducible.
 */
export const createSeededRandom = (seed: number): RandomSource => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** A seed for callers that did not choose one. */
export const randomSeed = (): number => Math.floor(Math.random() * 2 ** 32);
