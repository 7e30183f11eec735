import { ClerkApiError, ErrorCode, RotationStateError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import type { MachineSecret } from '../secretFormat.ts';
import type { RotationContext } from './RotationContext.ts';

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

/** How many rotates one invocation may send, each only after Clerk answered that the previous one did not happen. */
const MAX_ROTATE_ATTEMPTS = 2;

/**
 * Exactly-once rotation. Clerk's rotate is not idempotent, so Clerk's own current key is the record of whether a
 * rotation already happened: if it differs from AWSCURRENT (a lost response, an attempt that died before storing, a
 * dashboard rotation), adopt it; rotate only when Clerk still holds AWSCURRENT's key, and after an ambiguous
 * failure read Clerk's key again before anything else — rotating again in the same invocation only when Clerk itself
 * answered (a JSON 5xx), never after a timeout or a dropped connection.
 */
export async function obtainNewMachineKey(
  context: RotationContext,
  current: MachineSecret,
  instanceKey: Redacted,
): Promise<NewMachineKey> {
  const { clerk, clock, logger, settings } = context;
  const { machineId } = current;
  const iso = (ms: number) => new Date(ms).toISOString();
  const adoptIfRotated = async (): Promise<NewMachineKey | undefined> => {
    const clerkKey = await clerk.getMachineSecretKey(instanceKey, machineId);
    if (clerkKey.equals(current.secretKey)) return undefined;
    return { key: clerkKey, adopted: true, previousKeyExpiresAt: iso(clock.now()) };
  };

  const adopted = await adoptIfRotated();
  if (adopted) {
    logger.warn('Clerk already holds a newer key than AWSCURRENT; adopting it instead of rotating again', {
      machineId,
      adopted: true,
    });
    return adopted;
  }

  if (current.rotatedAt !== undefined && settings.minRotationIntervalSeconds > 0) {
    const sinceMs = clock.now() - Date.parse(current.rotatedAt);
    if (sinceMs < settings.minRotationIntervalSeconds * 1000) {
      throw new RotationStateError(
        ErrorCode.rotationTooSoon,
        `refusing to rotate ${machineId} at Clerk: the last rotation was ${Math.max(0, Math.round(sinceMs / 1000))} s ago (at ${current.rotatedAt}), less than the minimum interval of ${settings.minRotationIntervalSeconds} s; a second rotation this soon could end the overlap apps still rely on. Wait, or lower the interval with the secret tag clerk-rotator:min-rotation-interval-seconds for an emergency`,
      );
    }
  }

  for (let attempt = 1; ; attempt++) {
    const sentAt = clock.now();
    try {
      const key = await clerk.rotateMachineSecretKey(instanceKey, machineId, settings.previousKeyTtlSeconds);
      return { key, adopted: false, previousKeyExpiresAt: iso(sentAt + settings.previousKeyTtlSeconds * 1000) };
    } catch (error) {
      if (!(error instanceof ClerkApiError) || !error.ambiguous) throw error;
      logger.warn('rotate outcome unknown; reading Clerk’s current key before anything else', {
        machineId,
        errorCode: error.code,
        clerkTraceId: error.clerkTraceId,
      });
      // If this read fails, the invocation fails; the next attempt starts with the same check and adopts.
      const reconciled = await adoptIfRotated();
      if (reconciled) {
        logger.info('the rotate had been processed; using the key Clerk holds now', { machineId, adopted: true });
        return { ...reconciled, previousKeyExpiresAt: iso(sentAt + settings.previousKeyTtlSeconds * 1000) };
      }
      // Clerk's own error envelope means Clerk answered: the request is finished and did not rotate, so one more
      // rotate is safe. A timeout, a reset or a gateway's page may hide a rotate still being processed, which could
      // land after this read: leave the decision to the next attempt, minutes later.
      const clerkAnswered = error.clerkCode !== undefined;
      if (!clerkAnswered || attempt >= MAX_ROTATE_ATTEMPTS) {
        throw new RotationStateError(
          ErrorCode.rotateOutcomeUnknown,
          `the rotate of ${machineId} failed (${error.code}${error.status === undefined ? '' : `, HTTP ${error.status}`}) and Clerk still holds the old key; not rotating again in this invocation, since a rotate still in flight could land later. The next attempt reads Clerk's key first and adopts or rotates once`,
          { cause: error },
        );
      }
    }
  }
}
