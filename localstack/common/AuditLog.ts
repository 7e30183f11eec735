import type { FaultKind } from './faultTypes.ts';

/**
 * What the client saw of a call, relative to its processing (the emulated service reading or changing its state):
 * - `ok` / `error`: answered with `status` (< 400 / ≥ 400), whether that answer came from processing or from a fault;
 * - `dropped-before-processing`: the connection was closed, nothing was processed;
 * - `dropped-after-processing`: processed, then the connection was closed without an answer (a lost response);
 * - `processed-after-answer`: answered at once with `answeredStatus` (a gateway giving up), processed `afterMs` later.
 */
export type AuditOutcome =
  | 'ok'
  | 'error'
  | 'dropped-before-processing'
  | 'dropped-after-processing'
  | 'processed-after-answer';

/** The fields every audit entry of both emulators has. Identifiers only: never a key, token or secret value. */
export interface AuditEntryBase<Operation extends string = string> {
  /** 1, 2, 3…: the order entries were recorded in (a call is recorded once it is answered and processed, or dropped). */
  readonly seq: number;
  /** Emulator clock when the request arrived, ms. */
  readonly at: number;
  readonly operation: Operation;
  /**
   * The status of the emulator's answer: what processing produced (sent or not: for `dropped-after-processing` and
   * `processed-after-answer` nobody received it), or the injected status of a call a fault answered unprocessed;
   * `null` when nothing was processed and nothing was sent.
   */
  readonly status: number | null;
  readonly outcome: AuditOutcome;
  /** The service's error code of an error answer (Clerk's `errors[0].code`, AWS's `__type`). */
  readonly errorCode?: string;
  /** The injected fault that decided the outcome. */
  readonly fault?: FaultKind;
  /** Injected latency applied before processing, ms (absent when none). */
  readonly latencyMs?: number;
  /** Emulator clock when the call was processed, ms; absent when it never was (dropped before, answered by a fault). */
  readonly processedAt?: number;
  /** `processed-after-answer` only: the status the client was answered with before processing. */
  readonly answeredStatus?: number;
}

/** Entries whose fields equal every given field, e.g. `{ operation: 'PutSecretValue', outcome: 'ok' }`. */
export type AuditFilter<Entry> = { readonly [K in keyof Entry]?: Entry[K] };

const matches = <Entry extends AuditEntryBase>(entry: Entry, filter: AuditFilter<Entry>): boolean =>
  Object.entries(filter).every(([key, value]) => value === undefined || entry[key as keyof Entry] === value);

/**
 * Every call an emulator received, in the order they were recorded. Both emulators' logs are this class with their own
 * entry fields; the query API is the same: `entries(filter)`, `count(filter | operation)`, `countsByOperation(filter)`.
 */
export class AuditLog<Entry extends AuditEntryBase> {
  readonly #entries: Entry[] = [];
  #seq = 0;

  record(entry: Omit<Entry, 'seq'>): Entry {
    this.#seq += 1;
    const recorded = Object.freeze({ ...entry, seq: this.#seq }) as Entry;
    this.#entries.push(recorded);
    return recorded;
  }

  entries(filter: AuditFilter<Entry> = {}): Entry[] {
    return this.#entries.filter((entry) => matches(entry, filter));
  }

  /** How many calls match: a filter, or an operation name (`count('PutSecretValue')`). */
  count(filter: AuditFilter<Entry> | Entry['operation'] = {}): number {
    const normalized = typeof filter === 'string' ? ({ operation: filter } as AuditFilter<Entry>) : filter;
    return this.entries(normalized).length;
  }

  /** Calls per operation name, e.g. `{ GetSecretValue: 3, PutSecretValue: 1 }`. */
  countsByOperation(filter: AuditFilter<Entry> = {}): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.entries(filter)) counts[entry.operation] = (counts[entry.operation] ?? 0) + 1;
    return counts;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
