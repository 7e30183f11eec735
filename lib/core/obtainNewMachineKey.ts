import { ErrorCode, RotationStateError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import type { MachineSecret } from '../secretFormat.ts';
import { lastRotation, minimumIntervalWaitMs } from './checkMinimumInterval.ts';
import type { RotationContext } from './RotationContext.ts';
import { classifyRotateRecords, rotateInFlightError } from './rotateRecords.ts';
import { sendRecordedRotate } from './sendRecordedRotate.ts';

export interface NewMachineKey {
  readonly key: Redacted;
  /** True when Clerk already had a newer key than AWSCURRENT and we took it instead of rotating. */
  readonly adopted: boolean;
  /**
   * The earliest moment the replaced key may stop working (ISO-8601). For our own rotate it is the moment the
   * request was sent plus the TTL; for a key rotated by someone else the time is unknown, so it is recorded as now.
   */
  readonly previousKeyExpiresAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Exactly-once rotation. Clerk's rotate is not idempotent, so Clerk's own current key is the record of whether a
 * rotation already happened — but only once no rotate can still land: a rotate whose reply was lost (a timeout, a
 * reset, any 5xx — a gateway may forward it later) is recorded on the secret before it is sent, and until its
 * landing horizon has passed every attempt of every invocation fails with ROTATE_IN_FLIGHT instead of deciding.
 * Then: if Clerk's key differs from AWSCURRENT (a lost reply, a dashboard rotation), adopt it; otherwise rotate once.
 * An emergency (previous-key TTL 0) never adopts: it rotates so that every older key stops working.
 */
export async function obtainNewMachineKey(
  context: RotationContext,
  current: MachineSecret,
  instanceKey: Redacted,
): Promise<NewMachineKey | 'already-staged'> {
  const { clerk, clock, logger, settings, store, secret } = context;
  const { machineId } = current;

  const { inFlight } = await classifyRotateRecords(store, secret, {
    now: clock.now(),
    horizonSeconds: settings.rotateLandingHorizonSeconds,
  });
  if (inFlight[0] !== undefined) {
    throw rotateInFlightError(inFlight[0], settings.rotateLandingHorizonSeconds, machineId);
  }

  const clerkKey = await clerk.getMachineSecretKey(instanceKey, machineId);
  const emergency = settings.previousKeyTtlSeconds === 0;
  if (!clerkKey.equals(current.secretKey)) {
    if (!emergency) {
      logger.warn('Clerk already holds a newer key than AWSCURRENT; adopting it instead of rotating again', {
        machineId,
        adopted: true,
      });
      return { key: clerkKey, adopted: true, previousKeyExpiresAt: iso(clock.now()) };
    }
    logger.warn(
      'Clerk holds a newer key than AWSCURRENT; previous-key TTL is 0 (emergency), so rotating anyway: adopting would leave older keys working',
      { machineId },
    );
  }

  const now = clock.now();
  const last = lastRotation({ rotatedAt: current.rotatedAt, lastRotatedDate: secret.lastRotatedDate }, now);
  if (last.ignoredFutureRotatedAt !== undefined) {
    logger.warn(`AWSCURRENT's rotatedAt (${last.ignoredFutureRotatedAt}) is in the future; ignored`, { machineId });
  }
  const waitMs = minimumIntervalWaitMs(last, settings.minRotationIntervalSeconds, now);
  if (waitMs > 0 && last.at !== undefined) {
    throw new RotationStateError(
      ErrorCode.rotationTooSoon,
      `refusing to rotate ${machineId} at Clerk: the last rotation was ${Math.round((now - last.at) / 1000)} s ago (at ${iso(last.at)}), less than the minimum interval of ${settings.minRotationIntervalSeconds} s; allowed from ${iso(now + waitMs)}`,
    );
  }

  const sent = await sendRecordedRotate(context, current, instanceKey);
  if (sent.kind === 'already-staged') return sent.kind;
  return {
    key: sent.key,
    adopted: false,
    previousKeyExpiresAt: iso(sent.sentAt + settings.previousKeyTtlSeconds * 1000),
  };
}
