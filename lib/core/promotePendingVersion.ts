import { Stage } from '../constants.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { versionWithStage } from './SecretStore.ts';

/**
 * finishSecret: move AWSCURRENT to the new version, then remove AWSPENDING from it (AWS's template forgets this).
 * A crash between the two leaves AWSPENDING on the AWSCURRENT version: a legal state that a re-run completes.
 */
export async function promotePendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { store, secret, event } = context;
  const currentVersionId = versionWithStage(secret, Stage.current);
  await store.updateStage({
    secretId: secret.arn,
    stage: Stage.current,
    moveToVersionId: event.token,
    ...(currentVersionId === undefined ? {} : { removeFromVersionId: currentVersionId }),
  });
  await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  return { outcome: 'promoted' };
}

/** finishSecret re-run after the move: clear a leftover AWSPENDING on the (now current) version. */
export async function clearPendingLabel(context: RotationContext): Promise<StepOutcome> {
  const { store, secret, event } = context;
  const stages = secret.versionIdsToStages[event.token] ?? [];
  if (!stages.includes(Stage.pending)) return { outcome: 'already-current' };
  await store.updateStage({ secretId: secret.arn, stage: Stage.pending, removeFromVersionId: event.token });
  return { outcome: 'cleared-pending-label' };
}
