import type { AuditedOperation } from './clerkOperations.ts';

export type KeyKind = 'instance' | 'machine' | 'none' | 'invalid';

export type AuditOutcome = 'ok' | 'error' | 'dropped-after-processing' | 'dropped-before-processing';

/** One HTTP call as the emulator saw it. Never holds a key or token value. */
export interface AuditEntry {
  /** Emulator clock, ms. */
  readonly at: number;
  readonly operation: AuditedOperation;
  readonly method: string;
  /** Path without the query string, including `/v1`. */
  readonly path: string;
  readonly machineId?: string;
  readonly keyKind: KeyKind;
  readonly instanceId?: string;
  /**
   * The status sent; for `dropped-after-processing` the status that would have been sent; `null` when the
   * connection was closed before processing.
   */
  readonly status: number | null;
  readonly outcome: AuditOutcome;
  /** Clerk error code of an error response. */
  readonly errorCode?: string;
  /** The `Clerk-API-Version` header as received (absent when the client sent none). */
  readonly apiVersionHeader?: string;
  /** Set when an injected fault decided the outcome: 'error', 'raw', 'drop-before-processing', 'drop-after-processing'. */
  readonly fault?: string;
  /** Injected latency applied to this call, ms. */
  readonly latencyMs?: number;
}

export type AuditFilter = Partial<
  Pick<AuditEntry, 'operation' | 'machineId' | 'keyKind' | 'instanceId' | 'outcome' | 'status' | 'method'>
>;

const matches = (entry: AuditEntry, filter: AuditFilter): boolean =>
  Object.entries(filter).every(([key, value]) => value === undefined || entry[key as keyof AuditEntry] === value);

export class AuditLog {
  readonly #entries: AuditEntry[] = [];

  record(entry: AuditEntry): void {
    this.#entries.push(Object.freeze({ ...entry }));
  }

  entries(filter: AuditFilter = {}): AuditEntry[] {
    return this.#entries.filter((entry) => matches(entry, filter));
  }

  count(filter: AuditFilter = {}): number {
    return this.entries(filter).length;
  }

  /**
   * API rotations of this machine that took effect: answered 200, including those whose response was dropped after
   * processing (the key did change). Dashboard rotations are not HTTP calls; see `ClerkEmulator.rotationHistory`.
   */
  rotationsFor(machineId: string): AuditEntry[] {
    return this.#entries.filter(
      (e) =>
        e.operation === 'rotateMachineSecretKey' &&
        e.machineId === machineId &&
        e.status === 200 &&
        (e.outcome === 'ok' || e.outcome === 'dropped-after-processing'),
    );
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
