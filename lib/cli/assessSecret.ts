import { ErrorCode } from '../errors.ts';
import { CliErrorCode, type ReasonCode } from './errors.ts';
import { formatDuration, formatInstant, formatRelative } from './formatTime.ts';
import type { SecretSnapshot } from './readSecretSnapshot.ts';
import { describeRotateInFlight, type RotateInFlight } from './rotatesInFlight.ts';
import { runbookLink } from './runbookLink.ts';

export const VerdictState = {
  healthy: 'healthy',
  rotationInProgress: 'rotation-in-progress',
  stuckPending: 'stuck-pending',
  overlapExpired: 'overlap-expired',
  invalidValue: 'invalid-value',
} as const;
export type VerdictState = (typeof VerdictState)[keyof typeof VerdictState];

const LABELS: Record<VerdictState, string> = {
  healthy: 'healthy',
  'rotation-in-progress': 'rotation in progress',
  'stuck-pending': 'stuck AWSPENDING',
  'overlap-expired': 'overlap expired',
  'invalid-value': 'invalid value',
};

export interface Verdict {
  readonly state: VerdictState;
  /** The state in words: "stuck AWSPENDING". */
  readonly label: string;
  /** healthy and rotation-in-progress; every other state makes `status` exit 1. */
  readonly healthy: boolean;
  /** What exactly is the case, in one sentence. */
  readonly detail: string;
  readonly code: ReasonCode | undefined;
  readonly runbook: string | undefined;
  /** Facts worth knowing that do not change the verdict (rotation off, a leftover label). */
  readonly notes: readonly string[];
}

export interface AssessOptions {
  readonly now: number;
  /** AWSPENDING older than this on a non-current version is stuck. */
  readonly stuckAfterMs: number;
  /** How long after AWSCURRENT was staged apps may still use the previous key. */
  readonly refreshWindowMs: number;
  /** Rotates recorded on the secret that may still land at Clerk, the latest horizon end first. */
  readonly rotatesInFlight?: readonly RotateInFlight[];
}

function verdict(state: VerdictState, detail: string, notes: readonly string[], code?: ReasonCode): Verdict {
  const healthy = state === VerdictState.healthy || state === VerdictState.rotationInProgress;
  const runbook = code === undefined ? undefined : runbookLink(code);
  return { state, label: LABELS[state], healthy, detail, code, runbook, notes };
}

/**
 * The verdict, from Secrets Manager's state and the secret's fields only (no Clerk call), checked in this order:
 *
 * 1. **invalid-value** — AWSCURRENT has no value or is not the documented JSON: no rotation can run.
 * 2. **stuck-pending** — AWSPENDING is on a version that is not AWSCURRENT and that version was created at least
 *    `stuckAfter` ago: the rotation that staged it failed or was abandoned, and Secrets Manager refuses new rotations
 *    until the label is resolved (`repair`).
 * 3. **rotation-in-progress** — the same, but younger than `stuckAfter`, or a rotate recorded on the secret may
 *    still land at Clerk: nothing (the function, `repair`) may act on the version before its landing horizon ends.
 * 4. **overlap-expired** — AWSCURRENT's `previousKeyExpiresAt` has passed while apps may still hold the previous
 *    key: now is before AWSCURRENT's `rotatedAt` (else its version's creation) plus the refresh window. An app that
 *    read the secret before the rotation and has not re-read it is using a key Clerk no longer accepts.
 * 5. **healthy** — none of these.
 */
export function assessSecret(snapshot: SecretSnapshot, options: AssessOptions): Verdict {
  const { now } = options;
  const notes: string[] = [];
  if (!snapshot.rotationEnabled) {
    notes.push(
      snapshot.rotationLambdaArn === undefined
        ? 'rotation is not configured: no rotation function (init --adopt … --rotation-function … sets it)'
        : 'automatic rotation is off; a rotation function is configured, and `rotate` turns rotation back on',
    );
  }
  const inFlight = options.rotatesInFlight?.[0];
  if (inFlight !== undefined && snapshot.pending === undefined) {
    notes.push(`${describeRotateInFlight(inFlight, now)}: a rotation before then fails with ROTATE_IN_FLIGHT`);
  }
  if (snapshot.leftoverPendingLabel) {
    notes.push(
      'AWSPENDING is also on the AWSCURRENT version (a finishSecret stopped between its two calls); harmless: the next rotation or `repair --apply` removes it',
    );
  }

  if (!snapshot.current.ok) {
    return verdict(VerdictState.invalidValue, snapshot.current.error.message, notes, snapshot.current.error.code);
  }

  const { pending } = snapshot;
  if (pending !== undefined && inFlight !== undefined) {
    return verdict(
      VerdictState.rotationInProgress,
      `AWSPENDING on version ${pending.versionId}; ${describeRotateInFlight(inFlight, now)}: the rotation function and \`repair\` act only after that`,
      notes,
    );
  }
  if (pending !== undefined) {
    const since = pending.createdAt ?? snapshot.lastChangedDate;
    const age = since === undefined ? Number.POSITIVE_INFINITY : now - since;
    const staged = pending.hasValue ? 'the new key is staged on it' : 'no value has been staged on it yet';
    const sinceText = since === undefined ? 'since an unknown time' : `since ${formatInstant(since)}`;
    if (age < options.stuckAfterMs) {
      return verdict(
        VerdictState.rotationInProgress,
        `AWSPENDING on version ${pending.versionId} ${sinceText} (${formatDuration(age)}); ${staged}`,
        notes,
      );
    }
    const what = pending.hasValue
      ? 'its key was staged but never promoted (testSecret or finishSecret failed)'
      : 'createSecret never stored a value on it';
    return verdict(
      VerdictState.stuckPending,
      `version ${pending.versionId} has carried AWSPENDING ${sinceText}${Number.isFinite(age) ? ` (${formatDuration(age)}, longer than ${formatDuration(options.stuckAfterMs)})` : ''} without becoming AWSCURRENT; ${what}. Secrets Manager refuses new rotations until it is resolved: run \`repair\``,
      notes,
      pending.hasValue ? CliErrorCode.rotationStuck : ErrorCode.pendingValueMissing,
    );
  }

  const { secret } = snapshot.current;
  const expiresAt = secret.previousKeyExpiresAt === undefined ? undefined : Date.parse(secret.previousKeyExpiresAt);
  const currentCreatedAt = snapshot.versions.find((v) => v.versionId === snapshot.currentVersionId)?.createdAt;
  const stagedAt = secret.rotatedAt === undefined ? currentCreatedAt : Date.parse(secret.rotatedAt);
  if (expiresAt !== undefined && expiresAt <= now && stagedAt !== undefined) {
    const appsSwitchedBy = stagedAt + options.refreshWindowMs;
    if (now < appsSwitchedBy) {
      return verdict(
        VerdictState.overlapExpired,
        `the previous key stopped working at Clerk at ${formatInstant(expiresAt)} (${formatRelative(expiresAt, now)}), ${formatDuration(Math.max(0, expiresAt - stagedAt))} after AWSCURRENT was staged at ${formatInstant(stagedAt)}; apps that read the secret before the rotation may hold the previous key until ${formatInstant(appsSwitchedBy)} (refresh window ${formatDuration(options.refreshWindowMs)}) and fail until they re-read it`,
        notes,
        ErrorCode.overlapExpired,
      );
    }
  }

  let detail = 'no rotation pending, AWSCURRENT is a valid machine secret';
  if (expiresAt !== undefined) {
    detail +=
      expiresAt > now
        ? `; the previous key keeps working until ${formatInstant(expiresAt)} (${formatRelative(expiresAt, now)})`
        : `; the previous key's overlap ended at ${formatInstant(expiresAt)}, after apps had switched`;
  }
  return verdict(VerdictState.healthy, detail, notes);
}
