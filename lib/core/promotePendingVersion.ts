import { Stage } from '../constants.ts';
import { ClerkApiError, ErrorCode } from '../errors.ts';
import { MACHINE_KEY_ROTATED } from '../notify/MachineKeyRotatedEvent.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readPendingSecret } from './readPendingSecret.ts';
import { versionWithStage } from './SecretStore.ts';

export const OVERLAP_EXPIRED_METRIC = 'OverlapExpired';

/**
 * The key apps held (AWSCURRENT until a moment ago) had to work until the new one was promoted. If the promotion
 * finished past `previousKeyExpiresAt`, it may not have: prove it, and report a dead key loudly (error line + metric)
 * — apps were failing. Checked after the promotion, so a stall anywhere before it is covered. Costs nothing on a
 * clean rotation, whose expiry is hours away.
 */
async function reportExpiredOverlap(
  context: RotationContext,
  pending: MachineSecret,
  replacedVersionId: string | undefined,
): Promise<boolean> {
  const { clock, store, secret, clerk, logger } = context;
  const expiresAt = pending.previousKeyExpiresAt === undefined ? Number.NaN : Date.parse(pending.previousKeyExpiresAt);
  if (!(clock.now() >= expiresAt) || replacedVersionId === undefined) return false;
  const currentVersion = await store.getSecretVersion(secret.arn, { versionId: replacedVersionId });
  if (currentVersion === undefined) return false;
  let current: MachineSecret;
  try {
    current = parseMachineSecret(currentVersion.secretString, `AWSCURRENT of ${secret.arn}`);
  } catch {
    return false;
  }
  try {
    await clerk.verifyMachineKey(current.secretKey, pending.machineId);
    return false;
  } catch (error) {
    if (!(error instanceof ClerkApiError) || error.code !== ErrorCode.clerkUnauthorized) {
      // The promotion is done; failing now would only hide the question from the re-run. Assume the worst, loudly.
      logger.error(
        `the overlap ended ${pending.previousKeyExpiresAt}, before this rotation finished, and whether the replaced key still works could not be checked (${error instanceof ClerkApiError ? error.code : 'unexpected error'}); assuming apps reading it were failing. See docs/runbook.md#overlap_expired`,
        { machineId: pending.machineId, errorCode: ErrorCode.overlapExpired, outcome: 'overlap-unverified' },
      );
      logger.metric(OVERLAP_EXPIRED_METRIC, 1, { machineId: pending.machineId });
      return true;
    }
  }
  logger.error(
    `the key that was AWSCURRENT stopped working at Clerk before this rotation finished (overlap ended ${pending.previousKeyExpiresAt}); apps still reading it were failing. The new key is promoted now; see docs/runbook.md#overlap_expired`,
    { machineId: pending.machineId, errorCode: ErrorCode.overlapExpired, outcome: 'overlap-expired' },
  );
  logger.metric(OVERLAP_EXPIRED_METRIC, 1, { machineId: pending.machineId });
  return true;
}

/**
 * finishSecret: move AWSCURRENT to the new version, then remove AWSPENDING from it (AWS's template forgets this).
 * A crash between the two leaves AWSPENDING on the AWSCURRENT version: a legal state that a re-run completes.
 * Then notify consumers (best effort: never fails the rotation).
 */
export async function promotePendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { store, secret, event, notifier } = context;
  const pending = await readPendingSecret(context);
  const currentVersionId = versionWithStage(secret, Stage.current);
  await store.updateStage({
    secretId: secret.arn,
    stage: Stage.current,
    moveToVersionId: event.token,
    ...(currentVersionId === undefined ? {} : { removeFromVersionId: currentVersionId }),
  });
  await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  const overlapExpired = await reportExpiredOverlap(context, pending, currentVersionId);
  await notifier?.notify({
    type: MACHINE_KEY_ROTATED,
    secretId: secret.arn,
    versionId: event.token,
    machineId: pending.machineId,
  });
  return { outcome: overlapExpired ? 'promoted-after-overlap-expired' : 'promoted', machineId: pending.machineId };
}

/**
 * finishSecret re-run after the move (a crash, a failed label removal, a duplicate delivery): clear a leftover
 * AWSPENDING, and run the expired-overlap check the interrupted invocation may not have reached.
 */
export async function completePromotion(context: RotationContext): Promise<StepOutcome> {
  const { store, secret, event } = context;
  const stages = secret.versionIdsToStages[event.token] ?? [];
  if (stages.includes(Stage.pending)) {
    await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  }
  const promoted = await store.getSecretVersion(secret.arn, { versionId: event.token });
  let overlapExpired = false;
  let value: MachineSecret | undefined;
  try {
    value = parseMachineSecret(promoted?.secretString, `AWSCURRENT version ${event.token} of ${secret.arn}`);
  } catch {
    value = undefined; // nothing to check against; the promotion itself is done
  }
  if (value !== undefined) {
    overlapExpired = await reportExpiredOverlap(context, value, versionWithStage(secret, Stage.previous));
  }
  const outcome = stages.includes(Stage.pending) ? 'cleared-pending-label' : 'already-current';
  return { outcome: overlapExpired ? `${outcome}-overlap-expired` : outcome };
}
