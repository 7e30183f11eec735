import { createHash } from 'node:crypto';
import { Redacted } from '../../lib/Redacted.ts';

/** Digest used to index keys and tokens, so no map key or debug dump holds a secret in clear. */
export const fingerprintSecret = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * A key or token held by the emulator: the library's `Redacted` (printing shows `[redacted]`, `reveal()` is explicit)
 * with the fingerprint the emulator indexes it by.
 */
export class RedactedSecret extends Redacted {
  readonly fingerprint: string;

  constructor(value: string) {
    super(value);
    this.fingerprint = fingerprintSecret(value);
  }
}
