import { randomBytes, randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const base62 = (length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
};

/** `mch_` + 27 word characters, the shape of the spec's `^mch_\w{27}$` and of our MACHINE_ID_PATTERN. */
export const newMachineId = (): string => `mch_${base62(27)}`;
export const newInstanceId = (): string => `ins_${base62(27)}`;
/** `mt_` + 32 hex digits: the spec's `^mt_[0-9A-Fa-f]{32}$` for token ids. */
export const newTokenId = (): string => `mt_${randomBytes(16).toString('hex')}`;
/** The spec's example for an opaque token is `mt_` + 32 characters; the characters are random base62. */
export const newOpaqueToken = (): string => `mt_${base62(32)}`;
export const newMachineSecretKey = (): string => `ak_${base62(40)}`;
export const newInstanceSecretKey = (): string => `sk_test_${base62(40)}`;
export const newTraceId = (): string => randomBytes(16).toString('hex');
export const newSigningSecret = (): Buffer => randomBytes(32);
