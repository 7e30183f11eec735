import { Metric, Stage } from '../constants.ts';
import { ErrorCode, RotationStateError } from '../errors.ts';
import { MACHINE_KEY_ROTATED } from '../MachineKeyRotatedEvent.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import { checkMachineBinding } from './checkMachineBinding.ts';
import { checkReplacedKey } from './checkReplacedKey.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readInstanceKey } from './readInstanceKey.ts';
import { readPendingSecret } from './readPendingSecret.ts';
import { versionWithStage } from './SecretStore.ts';

/**
 * The pending key is no longer Clerk's current key (rotated at Clerk after it was staged): promoting it would hand
 * apps a key that dies when its overlap ends. Remove AWSPENDING instead, so no dying key is promoted and a new
 * rotation can start, and start one: its createSecret adopts Clerk's current key (once no rotate can still land).
 */
async function refusePromotion(context: RotationContext, pending: MachineSecret): Promise<StepOutcome> {
  const { store, secret, event, logger } = context;
  const { machineId } = pending;
  await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  logger.error(
    `not promoting version ${event.token}: its key is no longer Clerk's current key for ${machineId} (rotated at Clerk after it was staged); AWSPENDING removed, starting a rotation that adopts Clerk's key`,
    { machineId, errorCode: ErrorCode.pendingKeyStale, outcome: 'promotion-refused' },
  );
  logger.metric(Metric.promotionRefused, 1, { machineId });
  let healingVersion: string | undefined;
  try {
    healingVersion = await store.startRotation(secret.arn);
  } catch (error) {
    throw new RotationStateError(
      ErrorCode.pendingKeyStale,
      `version ${event.token} was not promoted (its key is no longer Clerk's current key for ${machineId}) and starting the rotation that adopts Clerk's key failed (${(error as { code?: string }).code ?? 'unexpected error'}); the verification starts it within one interval`,
      { cause: error },
    );
  }
  logger.info(`started rotation ${healingVersion ?? '(version unknown)'} to adopt Clerk's current key`, { machineId });
  return { outcome: 'promotion-refused-healing', machineId };
}

/**
 * Moves AWSCURRENT to the pending version. A failed reply does not prove the move failed (a lost response): re-read
 * the labels, and carry on to the replaced-key check when it happened — a re-run may never come (a new rotation can
 * start while AWSPENDING sits on the AWSCURRENT version), and with it would go the report of an expired overlap.
 */
async function moveCurrent(context: RotationContext, currentVersionId: string | undefined, machineId: string) {
  const { store, secret, event } = context;
  try {
    await store.updateStage({
      secretId: secret.arn,
      stage: Stage.current,
      moveToVersionId: event.token,
      ...(currentVersionId === undefined ? {} : { removeFromVersionId: currentVersionId }),
    });
  } catch (error) {
    const after = await store.describeSecret(secret.arn).catch(() => undefined);
    if (after === undefined || versionWithStage(after, Stage.current) !== event.token) throw error;
    context.logger.warn(`moving AWSCURRENT reported a failure, but the labels show version ${event.token} current`, {
      machineId,
    });
  }
}

/**
 * finishSecret: confirm with Clerk, immediately before moving AWSCURRENT, that the pending key is still Clerk's
 * current key (else refuse and heal); move AWSCURRENT to the new version, then remove AWSPENDING from it (AWS's
 * template forgets this). A crash between the two leaves AWSPENDING on the AWSCURRENT version: a legal state that
 * a re-run completes. Then check what became of the replaced key, and notify consumers (best effort).
 */
export async function promotePendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { store, secret, event, notifier, clerk, settings } = context;
  const pending = await readPendingSecret(context);
  checkMachineBinding(secret, pending.machineId, `the AWSPENDING value (version ${event.token})`);

  const instanceKey = await readInstanceKey(store, settings);
  const clerkKey = await clerk.getMachineSecretKey(instanceKey, pending.machineId);
  if (!clerkKey.equals(pending.secretKey)) return refusePromotion(context, pending);

  const currentVersionId = versionWithStage(secret, Stage.current);
  await moveCurrent(context, currentVersionId, pending.machineId);
  // Checked before AWSPENDING goes: if that removal fails and a new rotation starts before the re-run, the re-run
  // would no longer know which version was replaced, and an expired overlap would go unreported.
  const replacedKeyProblem = await checkReplacedKey(context, pending, currentVersionId);
  await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  await notifier?.notify({
    type: MACHINE_KEY_ROTATED,
    secretId: secret.arn,
    versionId: event.token,
    machineId: pending.machineId,
  });
  return { outcome: replacedKeyProblem ? replacedKeyOutcome(context) : 'promoted', machineId: pending.machineId };
}

function replacedKeyOutcome(context: RotationContext): string {
  return context.settings.previousKeyTtlSeconds === 0
    ? 'promoted-old-key-still-accepted'
    : 'promoted-after-overlap-expired';
}

/**
 * finishSecret re-run after the move (a crash, a failed label removal, a duplicate delivery): clear a leftover
 * AWSPENDING, and run the replaced-key check the interrupted invocation may not have reached.
 */
export async function completePromotion(context: RotationContext): Promise<StepOutcome> {
  const { store, secret, event } = context;
  const stages = secret.versionIdsToStages[event.token] ?? [];
  if (stages.includes(Stage.pending)) {
    await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  }
  const promoted = await store.getSecretVersion(secret.arn, { versionId: event.token });
  let value: MachineSecret | undefined;
  try {
    value = parseMachineSecret(promoted?.secretString, `AWSCURRENT version ${event.token} of ${secret.arn}`);
  } catch {
    value = undefined; // nothing to check against; the promotion itself is done
  }
  const problem =
    value !== undefined && (await checkReplacedKey(context, value, versionWithStage(secret, Stage.previous)));
  const outcome = stages.includes(Stage.pending) ? 'cleared-pending-label' : 'already-current';
  if (!problem) return { outcome };
  const suffix = context.settings.previousKeyTtlSeconds === 0 ? 'old-key-still-accepted' : 'overlap-expired';
  return { outcome: `${outcome}-${suffix}` };
}
