import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value that cannot be printed by accident: `toString`, `toJSON`, template literals and `util.inspect`
 * (and therefore `console.log`) all show `[redacted]`. Reading the value is an explicit `reveal()`.
 */
export class Redacted {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Constant-time-ish equality without revealing either value to the caller. */
  equals(other: Redacted | undefined): boolean {
    if (other === undefined) return false;
    const a = this.#value;
    const b = other.reveal();
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
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
