/** A random source in [0, 1). Injected so probabilistic faults replay exactly for a given seed. */
export type RandomSource = () => number;

/**
 * mulberry32: tiny, fast and good enough to decide "does this request fail?". Not for anything secret — keys and
 * tokens come from node:crypto.
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
