import { ROTATE_RECORD_TAG_PREFIX } from '../constants.ts';
import { ClerkApiError, ErrorCode, RotateInFlightError, RotationStateError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import type { MachineSecret } from '../secretFormat.ts';
import type { RotationContext } from './RotationContext.ts';
import { classifyRotateRecords, formatRotateRecord, rotateInFlightError } from './rotateRecords.ts';

/**
 * How long after writing its record an invocation may still send the rotate. The record says "sent at or before
 * this moment", so the landing horizon is counted from the latest possible send, never from an earlier one.
 */
export const SEND_WINDOW_MS = 10_000;
/** How many settled rotate records stay on a secret as history. */
const SETTLED_RECORDS_KEPT = 3;
/** Kept back for the Secrets Manager calls around a rotate. */
const STORE_MARGIN_MS = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();

export async function forgetRotateRecords(context: RotationContext, tagKeys: readonly string[]): Promise<void> {
  if (tagKeys.length === 0) return;
  try {
    await context.store.untagSecret(context.secret.arn, tagKeys);
  } catch (error) {
    // A record left behind only delays the next decision until its horizon; it never allows a wrong one.
    context.logger.warn(`could not remove ${tagKeys.length} settled rotate record(s); they expire on their own`, {
      errorCode: (error as { code?: string }).code,
    });
  }
}

function deferred(machineId: string, leftMs: number, neededMs: number, timeoutMs: number): RotationStateError {
  return new RotationStateError(
    ErrorCode.rotateDeferred,
    `not rotating ${machineId} in this invocation: ${Math.max(0, Math.floor(leftMs))} ms left, a rotate needs ${neededMs} ms (the ${timeoutMs} ms client timeout, a reconcile read and the store calls); nothing was sent, the next attempt rotates`,
  );
}

/** After a reply that does not prove the rotate failed: look once at Clerk (for the message), then wait it out. */
async function outcomeUnknown(
  context: RotationContext,
  current: MachineSecret,
  instanceKey: Redacted,
  sendBy: number,
  error: unknown,
): Promise<RotateInFlightError> {
  const { clerk, settings, clock, deadline } = context;
  let seen = 'Clerk could not be read to see whether it landed';
  if (deadline - clock.now() >= context.clerkRequestTimeoutMs) {
    try {
      const clerkKey = await clerk.getMachineSecretKey(instanceKey, current.machineId);
      seen = clerkKey.equals(current.secretKey)
        ? 'Clerk still shows the old key'
        : 'Clerk already shows a new key, most likely this rotate';
    } catch {
      // keep the default wording: the decision waits for the horizon either way
    }
  }
  const why =
    error instanceof ClerkApiError
      ? `${error.code}${error.status === undefined ? '' : `, HTTP ${error.status}`}`
      : 'unexpected error';
  const progressAt = iso(sendBy + settings.rotateLandingHorizonSeconds * 1000);
  return new RotateInFlightError(
    ErrorCode.rotateOutcomeUnknown,
    `the rotate of ${current.machineId} failed (${why}) and may still be processed by Clerk; ${seen}. Nothing rotates or adopts before ${progressAt} (the landing horizon); the first attempt after it adopts Clerk's key or rotates once`,
    progressAt,
    { cause: error },
  );
}

export type RecordedRotate =
  | { readonly kind: 'sent'; readonly key: Redacted; readonly sentAt: number }
  /** Another invocation of the same rotation sent its rotate and stored the key meanwhile: nothing to do. */
  | { readonly kind: 'already-staged' };

/**
 * Sends one rotate, recorded first. The record is a tag written before the request leaves; the secret is then read
 * again, and if another invocation's record appeared meanwhile both step back (a lock: two writers each see the
 * other, so at most one sends). Only a 4xx (429 included, or "not sent") proves the rotate did not happen: then the
 * record goes, and a 429 is waited out and resent while the invocation has time. Anything else leaves the record in
 * place, so no attempt decides again until the rotate has landed or can no longer land.
 */
export async function sendRecordedRotate(
  context: RotationContext,
  current: MachineSecret,
  instanceKey: Redacted,
): Promise<RecordedRotate> {
  const { store, secret, clerk, clock, sleep, settings, event, deadline } = context;
  const { machineId } = current;
  const timeoutMs = context.clerkRequestTimeoutMs;
  const neededMs = 2 * timeoutMs + STORE_MARGIN_MS;
  for (;;) {
    if (deadline - clock.now() < neededMs) throw deferred(machineId, deadline - clock.now(), neededMs, timeoutMs);
    const tagKey = `${ROTATE_RECORD_TAG_PREFIX}${context.newWriterId()}`;
    const sendBy = clock.now() + SEND_WINDOW_MS;
    await store.tagSecret(secret.arn, { [tagKey]: formatRotateRecord(sendBy, event.token) });

    const fresh = await store.describeSecret(secret.arn);
    const others = await classifyRotateRecords(store, fresh, {
      now: clock.now(),
      horizonSeconds: settings.rotateLandingHorizonSeconds,
      exceptWriter: tagKey.slice(ROTATE_RECORD_TAG_PREFIX.length),
    });
    if (others.answered.some((record) => record.versionId === event.token)) {
      // A duplicate invocation of this very step got there first (its reply is stored): rotating now would double.
      await forgetRotateRecords(context, [tagKey]);
      return { kind: 'already-staged' };
    }
    if (others.inFlight[0] !== undefined) {
      await forgetRotateRecords(context, [tagKey]);
      throw rotateInFlightError(others.inFlight[0], settings.rotateLandingHorizonSeconds, machineId);
    }
    // Settled records are history; a few are kept (an operator sees the last rotates) and the rest removed, so a
    // clean rotation seldom pays for the UntagResource call and the secret stays far below its 50-tag limit.
    if (others.settled.length > SETTLED_RECORDS_KEPT) {
      const oldestFirst = [...others.settled].sort((a, b) => a.sentAt - b.sentAt);
      const excess = oldestFirst.slice(0, others.settled.length - SETTLED_RECORDS_KEPT);
      await forgetRotateRecords(
        context,
        excess.map((record) => record.tagKey),
      );
    }
    if (clock.now() > sendBy) {
      await forgetRotateRecords(context, [tagKey]);
      throw new RotationStateError(
        ErrorCode.rotateDeferred,
        `not rotating ${machineId} in this invocation: the record's ${SEND_WINDOW_MS} ms send window passed before the rotate could leave (the store calls took ${clock.now() - (sendBy - SEND_WINDOW_MS)} ms); nothing was sent, the next attempt rotates`,
      );
    }
    if (deadline - clock.now() < 2 * timeoutMs) {
      await forgetRotateRecords(context, [tagKey]);
      throw deferred(machineId, deadline - clock.now(), neededMs, timeoutMs);
    }

    const sentAt = clock.now();
    try {
      const key = await clerk.rotateMachineSecretKey(instanceKey, machineId, settings.previousKeyTtlSeconds);
      return { kind: 'sent', key, sentAt };
    } catch (error) {
      if (!(error instanceof ClerkApiError) || error.ambiguous) {
        throw await outcomeUnknown(context, current, instanceKey, sendBy, error);
      }
      await forgetRotateRecords(context, [tagKey]);
      const waitMs = (error.retryAfterSeconds ?? 0) * 1000;
      const rateLimited = error.code === ErrorCode.clerkRateLimited;
      if (!rateLimited || waitMs > context.maxRetryAfterMs || deadline - clock.now() - waitMs < neededMs) throw error;
      context.logger.info(`rotate rate limited; sending again in ${waitMs} ms`, { machineId, errorCode: error.code });
      await sleep(waitMs);
    }
  }
}
