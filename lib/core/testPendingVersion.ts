import { Stage } from '../constants.ts';
import { ClerkApiError, ErrorCode, RotationStateError } from '../errors.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import { checkMachineBinding } from './checkMachineBinding.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readInstanceKey } from './readInstanceKey.ts';
import { readPendingSecret } from './readPendingSecret.ts';

/** Waits between proofs while a fresh key propagates at Clerk. */
const PROPAGATION_DELAYS_MS = [500, 1_500] as const;

/** Whether the pending value holds AWSCURRENT's key: a test of the current value (RotateImmediately=false). */
async function holdsCurrentKey(context: RotationContext, pending: MachineSecret): Promise<boolean> {
  const { store, secret } = context;
  const current = await store.getSecretVersion(secret.arn, { stage: Stage.current });
  try {
    return parseMachineSecret(current?.secretString, `AWSCURRENT of ${secret.arn}`).secretKey.equals(pending.secretKey);
  } catch {
    return false; // an unreadable AWSCURRENT is not what is being tested here
  }
}

/**
 * testSecret: prove the pending key authenticates for this machine, changing nothing. In a rotation that is all:
 * finishSecret checks that it is still Clerk's current key right before promoting it (and heals if not). Run alone
 * (RotateImmediately=false) the pending value is a copy of AWSCURRENT's, and the test also proves it is Clerk's
 * current key — so a test rotation fails on drift instead of passing on a key that is about to expire.
 */
export async function testPendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { clerk, store, settings, secret, event, sleep, clock, deadline, logger } = context;
  const pending = await readPendingSecret(context);
  const { machineId } = pending;
  checkMachineBinding(secret, machineId, `the AWSPENDING value (version ${event.token})`);

  for (let attempt = 0; ; attempt++) {
    try {
      await clerk.verifyMachineKey(pending.secretKey, machineId);
      break;
    } catch (error) {
      const delay = PROPAGATION_DELAYS_MS[attempt];
      const unauthorized = error instanceof ClerkApiError && error.code === ErrorCode.clerkUnauthorized;
      if (!unauthorized || delay === undefined || clock.now() + delay >= deadline) throw error;
      logger.info('pending key not accepted yet; waiting for propagation', { machineId, errorCode: error.code });
      await sleep(delay);
    }
  }

  if (!(await holdsCurrentKey(context, pending))) return { outcome: 'verified', machineId };

  const instanceKey = await readInstanceKey(store, settings);
  const clerkKey = await clerk.getMachineSecretKey(instanceKey, machineId);
  if (!clerkKey.equals(pending.secretKey)) {
    throw new RotationStateError(
      ErrorCode.pendingKeyStale,
      `the tested key of ${secret.arn} (version ${event.token}) works but is not Clerk's current key for ${machineId}: the key was rotated at Clerk outside Secrets Manager; a rotation adopts Clerk's key (the verification starts one)`,
    );
  }
  return { outcome: 'verified', machineId };
}
