import { MACHINE_KEY_PREFIX, MAX_KEY_LENGTH, MAX_SECRET_VALUE_BYTES, Stage } from '../constants.ts';
import { ErrorCode, RotationStateError } from '../errors.ts';
import { Redacted } from '../Redacted.ts';
import { type MachineSecret, parseMachineSecret, serializeMachineSecret } from '../secretFormat.ts';
import { checkMachineBinding } from './checkMachineBinding.ts';
import { obtainNewMachineKey } from './obtainNewMachineKey.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readInstanceKey } from './readInstanceKey.ts';

const LONGEST_KEY = new Redacted(`${MACHINE_KEY_PREFIX}${'x'.repeat(MAX_KEY_LENGTH - MACHINE_KEY_PREFIX.length)}`);

/**
 * The next value must fit in Secrets Manager, or Clerk would rotate and the put would fail on every attempt, leaving
 * Clerk's key in no version. Sized with the longest key a value may hold, before any Clerk call.
 */
function checkNextValueFits(current: MachineSecret, secretArn: string, now: number): void {
  const stamp = new Date(now).toISOString();
  const bytes = Buffer.byteLength(
    serializeMachineSecret({ ...current, secretKey: LONGEST_KEY, rotatedAt: stamp, previousKeyExpiresAt: stamp }),
  );
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    throw new RotationStateError(
      ErrorCode.secretValueTooLarge,
      `the next value of ${secretArn} would take up to ${bytes} bytes, more than Secrets Manager's ${MAX_SECRET_VALUE_BYTES}; remove fields from the value (got ${Object.keys(current.extra).length} extra fields)`,
    );
  }
}

/** createSecret: get a new key from Clerk exactly once and stage it under AWSPENDING. */
export async function createPendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { store, event, secret, clock, settings, logger } = context;

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
  checkMachineBinding(secret, current.machineId, `AWSCURRENT's value`);
  if (current.ignoredFields !== undefined) {
    logger.warn(
      `AWSCURRENT's ${current.ignoredFields.join(' and ')} is not an ISO-8601 timestamp; treated as unknown`,
      {
        machineId: current.machineId,
      },
    );
  }
  checkNextValueFits(current, secret.arn, clock.now());
  const instanceKey = await readInstanceKey(store, settings);
  const next = await obtainNewMachineKey(context, current, instanceKey);
  if (next === 'already-staged') return { outcome: next, machineId: current.machineId };

  const pending: MachineSecret = {
    ...current,
    secretKey: next.key,
    rotatedAt: new Date(clock.now()).toISOString(),
    previousKeyExpiresAt: next.previousKeyExpiresAt,
  };
  // If this put fails after Clerk rotated, the rotate's record stays: the next attempt adopts Clerk's key once its
  // horizon has passed. Removing the record to adopt sooner would let a duplicate invocation that read Clerk's key
  // before this rotate landed rotate a second time (F7 of the chaos schedules).
  await store.putPendingValue({
    secretId: secret.arn,
    versionId: event.token,
    secretString: serializeMachineSecret(pending),
    rotationToken: event.rotationToken,
  });
  return { outcome: next.adopted ? 'adopted' : 'rotated', machineId: current.machineId, adopted: next.adopted };
}
