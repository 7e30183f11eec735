/** A random source in [0, 1). Injected so ids and probabilistic faults replay exactly for a given seed. */
export type RandomSource = () => number;

/**
 * mulberry32: tiny, fast and good enough for ARN suffixes, version ids and "does this request fail?". Nothing the
 * emulator generates is a real credential, so a seeded generator is fine and makes runs reproducible.
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

const HEX = '0123456789abcdef';
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const pick = (random: RandomSource, alphabet: string): string => alphabet[Math.floor(random() * alphabet.length)] ?? '';

/** A version-4-shaped UUID drawn from `random` (what the SDK and Secrets Manager use as version ids). */
export const randomUuid = (random: RandomSource): string => {
  let hex = '';
  for (let i = 0; i < 32; i += 1) hex += pick(random, HEX);
  const variant = HEX[8 + Math.floor(random() * 4)] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** Six letters or digits, as Secrets Manager appends to a secret's ARN. */
export const randomArnSuffix = (random: RandomSource): string => {
  let suffix = '';
  for (let i = 0; i < 6; i += 1) suffix += pick(random, ALPHANUMERIC);
  return suffix;
};

/** A seed for callers that did not choose one. */
export const randomSeed = (): number => Math.floor(Math.random() * 2 ** 32);
