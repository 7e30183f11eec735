import { RedactedSecret } from './RedactedSecret.ts';

interface PreviousKey {
  readonly secret: RedactedSecret;
  /** First instant (ms, emulator clock) at which the key no longer authenticates. */
  readonly expiresAt: number;
}

/** How a presented key relates to a machine's ring. */
export type KeyStanding = 'current' | 'previous';

/**
 * A machine's secret keys and Clerk's rotation semantics:
 *
 * - rotate mints a new key that is live at once and becomes the one `GET …/secret_key` returns;
 * - the key it replaces keeps authenticating for exactly `previous_token_ttl` seconds by the emulator's clock, i.e.
 *   while `now < rotatedAt + ttl * 1000`; a ttl of 0 kills it at once;
 * - a second rotation inside that overlap: Clerk does not document what happens to the key from two rotations ago.
 *   We take the conservative view — it dies immediately; only the key just replaced gets the new overlap. Code that
 *   works against this emulator therefore never relies on two keys surviving a double rotation.
 */
export class MachineKeyRing {
  #current: RedactedSecret;
  #previous: PreviousKey | undefined;

  constructor(initialKey: string) {
    this.#current = new RedactedSecret(initialKey);
  }

  get current(): RedactedSecret {
    return this.#current;
  }

  /**
   * Installs `newKey` as current. Returns the fingerprints of keys that stopped authenticating because of this
   * rotation (the key from two rotations ago, and the replaced key when the ttl is 0).
   */
  rotate(newKey: string, previousTokenTtlSeconds: number, now: number): { retiredFingerprints: string[] } {
    const retiredFingerprints: string[] = [];
    if (this.#previous !== undefined) retiredFingerprints.push(this.#previous.secret.fingerprint);
    const replaced = this.#current;
    this.#current = new RedactedSecret(newKey);
    if (previousTokenTtlSeconds > 0) {
      this.#previous = { secret: replaced, expiresAt: now + previousTokenTtlSeconds * 1000 };
    } else {
      this.#previous = undefined;
      retiredFingerprints.push(replaced.fingerprint);
    }
    return { retiredFingerprints };
  }

  /** Whether the key with this fingerprint authenticates at `now`, and as which key. */
  standing(fingerprint: string, now: number): KeyStanding | undefined {
    if (fingerprint === this.#current.fingerprint) return 'current';
    if (this.#previous !== undefined && fingerprint === this.#previous.secret.fingerprint) {
      return now < this.#previous.expiresAt ? 'previous' : undefined;
    }
    return undefined;
  }

  /** When the previous key stops working, if there is one still in its overlap. */
  previousKeyExpiresAt(now: number): number | undefined {
    if (this.#previous === undefined || now >= this.#previous.expiresAt) return undefined;
    return this.#previous.expiresAt;
  }

  fingerprints(): string[] {
    return this.#previous === undefined
      ? [this.#current.fingerprint]
      : [this.#current.fingerprint, this.#previous.secret.fingerprint];
  }
}
