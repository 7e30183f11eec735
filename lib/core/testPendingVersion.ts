import { ClerkApiError, ErrorCode, RotationStateError } from '../errors.ts';
import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readInstanceKey } from './readInstanceKey.ts';
import { readPendingSecret } from './readPendingSecret.ts';

/** Waits between proofs while a fresh key propagates at Clerk. */
const PROPAGATION_DELAYS_MS = [500, 1_500] as const;

/**
 * testSecret: prove the pending key without changing anything (it also runs alone for RotateImmediately=false,
 * against a copy of the current value): it authenticates for this machine, and it is Clerk's current key.
 */
export async function testPendingVersion(context: RotationContext): Promise<StepOutcome> {
  const { clerk, store, settings, secret, event, sleep, clock, deadline, logger } = context;
  const pending = await readPendingSecret(context);
  const { machineId } = pending;

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

  const instanceKey = await readInstanceKey(store, settings);
  const clerkKey = await clerk.getMachineSecretKey(instanceKey, machineId);
  if (!clerkKey.equals(pending.secretKey)) {
    throw new RotationStateError(
      ErrorCode.pendingKeyStale,
      `the pending key of ${secret.arn} (version ${event.token}) works but is no longer Clerk's current key for ${machineId}: the key was rotated at Clerk after it was staged. Promoting it would hand apps a key that expires with the overlap. Recover: remove the label (aws secretsmanager update-secret-version-stage --secret-id ${secret.arn} --version-stage AWSPENDING --remove-from-version-id ${event.token}) and rotate again; the next createSecret adopts Clerk's current key`,
    );
  }
  return { outcome: 'verified', machineId };
}
