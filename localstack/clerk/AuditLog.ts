import {
  type AuditEntryBase,
  type AuditFilter as BaseAuditFilter,
  AuditLog as SharedAuditLog,
} from '../common/AuditLog.ts';
import type { AuditedOperation } from './clerkOperations.ts';

export type { AuditOutcome } from '../common/AuditLog.ts';

export type KeyKind = 'instance' | 'machine' | 'none' | 'invalid';

/**
 * One HTTP call as the Clerk emulator saw it: the shared fields (seq, at, operation, status, outcome, errorCode,
 * fault, latencyMs, processedAt, answeredStatus) plus Clerk's. Never holds a key or token value.
 */
export interface AuditEntry extends AuditEntryBase<AuditedOperation> {
  readonly method: string;
  /** Path without the query string, including `/v1`. */
  readonly path: string;
  readonly machineId?: string;
  readonly keyKind: KeyKind;
  readonly instanceId?: string;
  /** The `Clerk-API-Version` header as received (absent when the client sent none). */
  readonly apiVersionHeader?: string;
}

export type AuditFilter = BaseAuditFilter<AuditEntry>;

/** Rotations that changed the key: processed and 200, whatever the client saw. */
const TOOK_EFFECT: ReadonlySet<AuditEntry['outcome']> = new Set([
  'ok',
  'dropped-after-processing',
  'processed-after-answer',
]);

export class AuditLog extends SharedAuditLog<AuditEntry> {
  /**
   * API rotations of this machine that took effect: processed with 200, including those whose response was dropped
   * and those processed after a gateway answered (the key did change). Dashboard rotations are not HTTP calls; see
   * `ClerkEmulator.rotationHistory`.
   */
  rotationsFor(machineId: string): AuditEntry[] {
    return this.entries({ operation: 'rotateMachineSecretKey', machineId, status: 200 }).filter((e) =>
      TOOK_EFFECT.has(e.outcome),
    );
  }
}
