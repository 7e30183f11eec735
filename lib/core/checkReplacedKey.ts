import { Metric } from '../constants.ts';
import { ErrorCode } from '../errors.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import { askClerkAboutKey, type KeyVerdict } from './askClerkAboutKey.ts';
import type { RotationContext } from './RotationContext.ts';

/** Waits while a revocation propagates at Clerk before an emergency rotation calls the old key still alive. */
const REVOCATION_DELAYS_MS = [500, 1_500] as const;

const askClerk = (context: RotationContext, key: MachineSecret): Promise<KeyVerdict> =>
  askClerkAboutKey(context.clerk, key.secretKey, key.machineId);

/** The replaced version's key; `{ unknown }` when it could not be read (a store error, by code). */
type Replaced = MachineSecret | { readonly unknown: string };

async function readReplaced(context: RotationContext, versionId: string | undefined): Promise<Replaced | undefined> {
  if (versionId === undefined) return undefined;
  let secretString: string | undefined;
  try {
    secretString = (await context.store.getSecretVersion(context.secret.arn, { versionId }))?.secretString;
  } catch (error) {
    // AWSCURRENT has moved: throwing now would leave the check to a re-run that a new rotation can supersede.
    return { unknown: `reading version ${versionId}: ${(error as { code?: string }).code ?? 'unexpected error'}` };
  }
  try {
    return parseMachineSecret(secretString, `version ${versionId} of ${context.secret.arn}`);
  } catch {
    return undefined; // nothing to check against
  }
}

const verdictOn = (context: RotationContext, replaced: Replaced): Promise<KeyVerdict> | KeyVerdict =>
  'unknown' in replaced ? { unknown: replaced.unknown } : askClerk(context, replaced);

/**
 * The key apps held (AWSCURRENT until a moment ago) had to work until the new one was promoted. If the promotion
 * finished past `previousKeyExpiresAt`, it may not have: prove it, and report a dead key loudly (error line + metric)
 * — apps were failing. Costs nothing on a clean rotation, whose expiry is hours away.
 */
async function reportExpiredOverlap(context: RotationContext, pending: MachineSecret, replaced: Replaced) {
  const { logger, clock } = context;
  const expiresAt = pending.previousKeyExpiresAt === undefined ? Number.NaN : Date.parse(pending.previousKeyExpiresAt);
  if (!(clock.now() >= expiresAt)) return false;
  const verdict = await verdictOn(context, replaced);
  if (verdict === 'accepted') return false;
  const fields = { machineId: pending.machineId, errorCode: ErrorCode.overlapExpired };
  if (verdict === 'rejected') {
    logger.error(
      `the key that was AWSCURRENT stopped working at Clerk before this rotation finished (overlap ended ${pending.previousKeyExpiresAt}); apps still reading it were failing. The new key is promoted now`,
      { ...fields, outcome: 'overlap-expired' },
    );
  } else {
    // The promotion is done; failing now would only hide the question from the re-run. Assume the worst, loudly.
    logger.error(
      `the overlap ended ${pending.previousKeyExpiresAt}, before this rotation finished, and whether the replaced key still works could not be checked (${verdict.unknown}); assuming apps reading it were failing`,
      { ...fields, outcome: 'overlap-unverified' },
    );
  }
  logger.metric(Metric.overlapExpired, 1, { machineId: pending.machineId });
  return true;
}

/**
 * An emergency rotation (previous-key TTL 0) exists to end a suspected key: say it ended only after Clerk rejected
 * it, allowing a moment for the revocation to propagate; otherwise an error line and the OldKeyStillAccepted metric.
 */
async function reportEmergencyOutcome(context: RotationContext, replaced: Replaced, machineId: string) {
  const { logger, sleep, clock, deadline } = context;
  let verdict = await verdictOn(context, replaced);
  for (const delay of REVOCATION_DELAYS_MS) {
    if (verdict !== 'accepted' || clock.now() + delay >= deadline) break;
    await sleep(delay);
    verdict = await verdictOn(context, replaced);
  }
  if (verdict === 'rejected') {
    logger.info('emergency rotation: Clerk rejects the replaced key (checked)', {
      machineId,
      outcome: 'old-key-rejected',
    });
    return false;
  }
  logger.error(
    verdict === 'accepted'
      ? 'emergency rotation finished, but Clerk still accepts the replaced key'
      : `emergency rotation finished, but whether Clerk still accepts the replaced key could not be checked (${verdict.unknown})`,
    { machineId, errorCode: ErrorCode.oldKeyStillAccepted, outcome: 'old-key-still-accepted' },
  );
  logger.metric(Metric.oldKeyStillAccepted, 1, { machineId });
  return true;
}

/**
 * After a promotion, what became of the replaced key: for an emergency (TTL 0) it must be dead, otherwise it must
 * have lived until now. True when something went wrong (already logged, with a metric). Never throws once a check is
 * due: a failure to read the replaced key or to ask Clerk is reported as "could not be checked", loudly.
 */
export async function checkReplacedKey(
  context: RotationContext,
  promoted: MachineSecret,
  replacedVersionId: string | undefined,
): Promise<boolean> {
  const emergency = context.settings.previousKeyTtlSeconds === 0;
  if (!emergency) {
    const expiresAt = Date.parse(promoted.previousKeyExpiresAt ?? '');
    if (!(context.clock.now() >= expiresAt)) return false; // the usual case: no call at all
  }
  const replaced = await readReplaced(context, replacedVersionId);
  if (replaced === undefined || ('secretKey' in replaced && replaced.secretKey.equals(promoted.secretKey)))
    return false;
  return emergency
    ? reportEmergencyOutcome(context, replaced, promoted.machineId)
    : reportExpiredOverlap(context, promoted, replaced);
}
