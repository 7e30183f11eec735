import type { RandomSource } from '../common/seededRandom.ts';

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
