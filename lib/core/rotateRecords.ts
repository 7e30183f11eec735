import { ROTATE_RECORD_TAG_PREFIX } from '../constants.ts';
import { ErrorCode, RotateInFlightError } from '../errors.ts';
import type { SecretDescription, SecretStore } from './SecretStore.ts';

/**
 * The durable record of one rotate sent to Clerk, kept as a tag on the secret: written before the request leaves,
 * so it survives the invocation that sent it. A rotate whose reply was lost may still land at Clerk until
 * `sentAt + horizon`; until then (or until its reply was stored) nothing may rotate again or adopt a changed key.
 */
export interface RotateRecord {
  /** The tag key, `clerk-rotator:rotate-sent:<writer>`. */
  readonly tagKey: string;
  readonly writer: string;
  /** Epoch ms at which the request was sent. */
  readonly sentAt: number;
  /** The version (rotation token) whose createSecret sent it. */
  readonly versionId: string;
}

/** Tag values are `<ISO-8601 sent at> <version id>`; Secrets Manager allows both in a tag value. */
export function formatRotateRecord(sentAt: number, versionId: string): string {
  return `${new Date(sentAt).toISOString()} ${versionId}`;
}

/** The records on a secret; a malformed one counts as sent at the epoch (so it never blocks) and is returned too. */
export function readRotateRecords(tags: Readonly<Record<string, string>>): RotateRecord[] {
  const records: RotateRecord[] = [];
  for (const [tagKey, value] of Object.entries(tags)) {
    if (!tagKey.startsWith(ROTATE_RECORD_TAG_PREFIX)) continue;
    const [iso = '', versionId = ''] = value.trim().split(/\s+/);
    const sentAt = Date.parse(iso);
    records.push({
      tagKey,
      writer: tagKey.slice(ROTATE_RECORD_TAG_PREFIX.length),
      sentAt: Number.isFinite(sentAt) ? sentAt : 0,
      versionId,
    });
  }
  return records;
}

/** When the record's rotate can no longer land (epoch ms). */
export function landingHorizonEnd(record: RotateRecord, horizonSeconds: number): number {
  return record.sentAt + horizonSeconds * 1000;
}

export interface RecordsInFlight {
  /** Records whose rotate may still land; the latest horizon end first. */
  readonly inFlight: readonly RotateRecord[];
  /** Records that can go: past their horizon, or answered (their version holds a value). */
  readonly settled: readonly RotateRecord[];
  /** The settled records inside their horizon whose version holds a value: the reply came back and was stored. */
  readonly answered: readonly RotateRecord[];
}

/**
 * Sorts a secret's records into those whose rotate may still land and those that can no longer matter. A record
 * inside its horizon is settled when its version holds a value: the reply came back and was stored, so that rotate
 * landed and is accounted for. One GetSecretValue per such record, and only inside the horizon.
 */
export async function classifyRotateRecords(
  store: Pick<SecretStore, 'getSecretVersion'>,
  secret: Pick<SecretDescription, 'arn' | 'tags'>,
  options: { readonly now: number; readonly horizonSeconds: number; readonly exceptWriter?: string },
): Promise<RecordsInFlight> {
  const inFlight: RotateRecord[] = [];
  const settled: RotateRecord[] = [];
  const answered: RotateRecord[] = [];
  for (const record of readRotateRecords(secret.tags)) {
    if (record.writer === options.exceptWriter) continue;
    if (options.now >= landingHorizonEnd(record, options.horizonSeconds) || record.versionId === '') {
      settled.push(record);
      continue;
    }
    const version = await store.getSecretVersion(secret.arn, { versionId: record.versionId });
    if (version?.secretString !== undefined) {
      settled.push(record);
      answered.push(record);
    } else inFlight.push(record);
  }
  inFlight.sort((a, b) => b.sentAt - a.sentAt);
  return { inFlight, settled, answered };
}

/** The error for an attempt that found a rotate (its own or another invocation's) that may still land. */
export function rotateInFlightError(
  record: RotateRecord,
  horizonSeconds: number,
  machineId: string,
): RotateInFlightError {
  const iso = (ms: number) => new Date(ms).toISOString();
  const progressAt = iso(landingHorizonEnd(record, horizonSeconds));
  return new RotateInFlightError(
    ErrorCode.rotateInFlight,
    `a rotate of ${machineId} sent at or before ${iso(record.sentAt)} (version ${record.versionId}) may still land at Clerk until ${progressAt}; nothing rotates or adopts a changed key before then, and the first attempt after it makes progress`,
    progressAt,
  );
}
