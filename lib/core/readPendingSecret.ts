import { Stage } from '../constants.ts';
import { ErrorCode, RotationStateError } from '../errors.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import type { RotationContext } from './RotationContext.ts';

/** The value staged under AWSPENDING for this rotation's version; an error when createSecret has not filled it. */
export async function readPendingSecret(context: RotationContext): Promise<MachineSecret> {
  const { store, secret, event } = context;
  const version = await store.getSecretVersion(secret.arn, { versionId: event.token, stage: Stage.pending });
  if (version?.secretString === undefined) {
    throw new RotationStateError(
      ErrorCode.pendingValueMissing,
      `version ${event.token} of secret ${secret.arn} has no value under AWSPENDING; createSecret has not staged a key`,
    );
  }
  return parseMachineSecret(version.secretString, `AWSPENDING version ${event.token} of ${secret.arn}`);
}
