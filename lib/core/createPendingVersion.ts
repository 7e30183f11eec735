import { Stage } from '../constants.ts';
import { ErrorCode, RotationStateError } from '../errors.ts';
import { type MachineSecret, parseMachineSecret, serializeMachineSecret } from '../secretFormat.ts';
import { obtainNewMachineKey } from './obtainNewMachineKey.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readInstanceKey } from './readInstanceKey.ts';

/** createSecret: get a new key from Clerk exactly once and stage it under AWSPENDING. */
export async function createPendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { store, event, secret, clock, settings } = context;

  const staged = await store.getSecretVersion(secret.arn, { versionId: event.token, stage: Stage.pending });
  if (staged?.secretString !== undefined) {
    return { outcome: 'already-staged' };
  }

  const currentVersion = await store.getSecretVersion(secret.arn, { stage: Stage.current });
  if (currentVersion === undefined) {
    throw new RotationStateError(
      ErrorCode.pendingValueMissing,
      `secret ${secret.arn} has no AWSCURRENT value to rotate from; seed it with {"machineId": "mch_…", "secretKey": "ak_…"}`,
    );
  }
  const current = parseMachineSecret(currentVersion.secretString, `AWSCURRENT of ${secret.arn}`);
  const instanceKey = await readInstanceKey(store, settings);
  const next = await obtainNewMachineKey(context, current, instanceKey);

  const pending: MachineSecret = {
    ...current,
    secretKey: next.key,
    rotatedAt: new Date(clock.now()).toISOString(),
    previousKeyExpiresAt: next.previousKeyExpiresAt,
  };
  // If this put fails after Clerk rotated, nothing is lost: the next attempt finds Clerk's key differs and adopts it.
  await store.putPendingValue({
    secretId: secret.arn,
    versionId: event.token,
    secretString: serializeMachineSecret(pending),
    rotationToken: event.rotationToken,
  });
  return { outcome: next.adopted ? 'adopted' : 'rotated', machineId: current.machineId, adopted: next.adopted };
}
