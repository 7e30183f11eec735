/**
 * What a Clerk secret looks like in text: instance keys (`sk_test_`, `sk_live_`), machine keys (`ak_`) and M2M tokens
 * (`mt_`), long enough not to match their own prefixes in prose. Shared by every scan of captured output.
 */
export const KEY_SHAPE_SOURCE = String.raw`\b(?:ak|sk_test|sk_live|mt)_[A-Za-z0-9]{16,}`;

/** Whether a line holds anything shaped like a Clerk key. */
export const isKeyShaped = (line: string): boolean => new RegExp(KEY_SHAPE_SOURCE).test(line);
