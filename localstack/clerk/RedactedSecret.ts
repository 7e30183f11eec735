import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/** Digest used to index keys and tokens, so no map key or debug dump holds a secret in clear. */
export const fingerprintSecret = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * A key or token held by the emulator. Printing it (`console.log`, template literals, JSON, vitest diffs) shows
 * `[redacted]`; the value is only available through an explicit `reveal()`.
 */
export class RedactedSecret {
  readonly #value: string;
  readonly fingerprint: string;

  constructor(value: string) {
    this.#value = value;
    this.fingerprint = fingerprintSecret(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
