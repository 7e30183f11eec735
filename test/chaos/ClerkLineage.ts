import type { ClerkEmulator, ClerkExchange, RotationRecord } from '../../localstack/clerk/index.ts';
import { ROTATE_OPERATION } from './armFault.ts';
import type { KeyLineage } from './classifyCurrentKey.ts';

/** The header a landing the run makes itself carries, so its exchange is told apart from the function's rotates. */
export const LANDING_HEADER = 'x-chaos-landing';

interface Landing {
  readonly token: string;
  readonly beyondHorizon: boolean;
}

/**
 * What Clerk did to one machine, as the checks need it: each key with its generation (I1), and each API rotation
 * attributed to the rotation (ClientRequestToken) whose createSecret sent it (I2). The function's rotates are
 * attributed in the order they were sent (the rotate record serialises them); a rotate the run held and landed
 * itself carries LANDING_HEADER and is attributed to the token it was held for. Rotations that landed after their
 * horizon are kept apart: 007 accepts them as a residual risk.
 */
export class ClerkLineage implements KeyLineage {
  readonly #clerk: ClerkEmulator;
  readonly #machineId: string;
  readonly generationOf = new Map<string, number>();
  readonly landedBeyondHorizon = new Set<number>();
  /** API rotations per token (beyond-horizon landings not included). */
  readonly rotationsByToken = new Map<string, number>();
  /** The rotation (token) each API rotation in the history was attributed to, by its index. */
  readonly tokenAt = new Map<number, string>();
  /** API rotations no send explains (none is expected). */
  unattributed = 0;
  /** The function's rotate sends whose exchange has not come back yet, oldest first. */
  #sends: string[] = [];
  readonly #landings = new Map<string, Landing>();
  #seen = 0;

  constructor(clerk: ClerkEmulator, machineId: string, initialKey: string) {
    this.#clerk = clerk;
    this.#machineId = machineId;
    this.generationOf.set(initialKey, 0);
  }

  get history(): readonly RotationRecord[] {
    return this.#clerk.rotationHistory(this.#machineId);
  }

  currentKey(): string {
    return this.#clerk.currentKey(this.#machineId);
  }

  apiRotations(): number {
    return this.history.filter((r) => r.source === 'api').length;
  }

  /** Records Clerk's current key with its generation; call after anything that may have rotated. */
  observe(): void {
    const key = this.currentKey();
    if (!this.generationOf.has(key)) this.generationOf.set(key, this.history.length);
  }

  /** The function is about to send a rotate for `token`. */
  noteSend(token: string | undefined): void {
    this.#sends.push(token ?? '(unknown token)');
  }

  /** The run lands a held rotate; its request carries `LANDING_HEADER: id`. */
  noteLanding(id: string, token: string, beyondHorizon: boolean): void {
    this.#landings.set(id, { token, beyondHorizon });
  }

  /** Every exchange with Clerk: attributes the API rotations it caused. */
  onExchange(exchange: ClerkExchange): void {
    const history = this.history;
    const fresh = history.slice(this.#seen).flatMap((record, offset) => (record.source === 'api' ? [offset] : []));
    if (exchange.operation === ROTATE_OPERATION) {
      const landingId = exchange.request.headers[LANDING_HEADER];
      const landing = landingId === undefined ? undefined : this.#landings.get(landingId);
      const token = landing?.token ?? this.#sends.shift();
      for (const offset of fresh) {
        if (landing?.beyondHorizon) this.landedBeyondHorizon.add(this.#seen + offset);
        else if (token === undefined) this.unattributed += 1;
        else {
          this.rotationsByToken.set(token, (this.rotationsByToken.get(token) ?? 0) + 1);
          this.tokenAt.set(this.#seen + offset, token);
        }
      }
      this.#seen = history.length;
    } else if (fresh.length === 0) {
      this.#seen = history.length;
    }
    this.observe();
  }

  /** Once every request has landed: a send with no exchange never left (its caller gave up first). */
  settle(): void {
    this.#sends = [];
  }
}
