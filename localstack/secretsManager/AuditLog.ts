import {
  type AuditEntryBase,
  type AuditFilter as BaseAuditFilter,
  AuditLog as SharedAuditLog,
} from '../common/AuditLog.ts';

export type { AuditOutcome } from '../common/AuditLog.ts';

/**
 * One API call as the Secrets Manager emulator saw it: the shared fields (seq, at, operation, status, outcome,
 * errorCode — the AWS error name —, fault, latencyMs, processedAt, answeredStatus) plus the identifiers the request
 * named. Never SecretString, SecretBinary or RotationToken.
 */
export interface AuditEntry extends AuditEntryBase {
  /** SecretId as sent (CreateSecret: Name). */
  readonly secretId?: string;
  readonly clientRequestToken?: string;
  /** VersionId, or UpdateSecretVersionStage's MoveToVersionId. */
  readonly versionId?: string;
  readonly versionStage?: string;
}

export type AuditFilter = BaseAuditFilter<AuditEntry>;

/** Every call the emulator received: `entries(filter)`, `count(filter | operation)`, `countsByOperation(filter)`. */
export class AuditLog extends SharedAuditLog<AuditEntry> {}
