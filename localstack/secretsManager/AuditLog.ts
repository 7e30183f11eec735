import type { FaultKind } from './FaultInjector.ts';

export type AuditOutcome =
  /** Processed and answered 200 (or processed and then dropped: see `fault`). */
  | 'success'
  /** Answered with an AWS error, real or injected. */
  | 'error'
  /** The connection was closed before the request was processed. */
  | 'notProcessed';

/** One API call. Identifiers only: never SecretString, SecretBinary or RotationToken. */
export interface AuditEntry {
  readonly seq: number;
  /** Emulator clock, ms. */
  readonly at: number;
  readonly operation: string;
  /** SecretId as sent (CreateSecret: Name). */
  readonly secretId: string | undefined;
  readonly outcome: AuditOutcome;
  readonly errorName: string | undefined;
  /** `undefined` when no response was sent. */
  readonly statusCode: number | undefined;
  readonly fault: FaultKind | undefined;
  readonly delayedMs: number;
  readonly clientRequestToken: string | undefined;
  readonly versionId: string | undefined;
  readonly versionStage: string | undefined;
}

export type AuditEntryInput = Omit<AuditEntry, 'seq'>;

export interface AuditQuery {
  readonly operation?: string;
  readonly secretId?: string;
  readonly outcome?: AuditOutcome;
  readonly errorName?: string;
}

const matches = (entry: AuditEntry, query: AuditQuery): boolean =>
  (query.operation === undefined || entry.operation === query.operation) &&
  (query.secretId === undefined || entry.secretId === query.secretId) &&
  (query.outcome === undefined || entry.outcome === query.outcome) &&
  (query.errorName === undefined || entry.errorName === query.errorName);

/** Every call the emulator received, in arrival order of completion. */
export class AuditLog {
  readonly #entries: AuditEntry[] = [];
  #seq = 0;

  record(entry: AuditEntryInput): void {
    this.#seq += 1;
    this.#entries.push({ ...entry, seq: this.#seq });
  }

  entries(query: AuditQuery = {}): AuditEntry[] {
    return this.#entries.filter((entry) => matches(entry, query)).map((entry) => ({ ...entry }));
  }

  /** How many calls match, e.g. `count({ operation: 'PutSecretValue', outcome: 'success' })`. */
  count(query: AuditQuery | string = {}): number {
    const normalized = typeof query === 'string' ? { operation: query } : query;
    return this.#entries.filter((entry) => matches(entry, normalized)).length;
  }

  /** Calls per operation name, e.g. `{ GetSecretValue: 3, PutSecretValue: 1 }`. */
  countsByOperation(query: Omit<AuditQuery, 'operation'> = {}): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.#entries) {
      if (matches(entry, query)) counts[entry.operation] = (counts[entry.operation] ?? 0) + 1;
    }
    return counts;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
