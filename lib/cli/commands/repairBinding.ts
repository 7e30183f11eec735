import { TagKey } from '../../constants.ts';
import { ErrorCode } from '../../errors.ts';
import type { CliContext } from '../CliContext.ts';
import { type BindingProof, confirmMachineBinding } from '../confirmMachineBinding.ts';
import { OperationError, UsageError } from '../errors.ts';
import type { SecretSnapshot } from '../readSecretSnapshot.ts';
import { INSTANCE_KEY_MISSING, readInstanceKeySecret, resolveInstanceKeySecret } from '../resolveInstanceKey.ts';

/** A secret without its `clerk-rotator:machine-id` tag, confirmed by Clerk as its value's machine: the tag to add. */
export interface MissingBinding {
  readonly machineId: string;
  readonly proof: BindingProof;
}

/**
 * What `repair` does about the binding (docs/decisions/008): nothing for a bound secret; for one without the tag,
 * the tag — once Clerk confirmed the machine its value names (MACHINE_MISMATCH otherwise); a tag that disagrees with
 * the value is refused (MACHINE_BINDING_INVALID): the tag is the binding, and repair never moves it.
 */
export async function diagnoseBinding(
  ctx: Pick<CliContext, 'store' | 'clerk' | 'env'>,
  snapshot: SecretSnapshot,
  instanceKeyOption: string | undefined,
): Promise<MissingBinding | undefined> {
  const tagged = snapshot.tags[TagKey.machineId]?.trim();
  const { current } = snapshot;
  if (tagged) {
    if (current.ok && current.secret.machineId !== tagged) {
      throw new OperationError(
        ErrorCode.machineBindingInvalid,
        `${snapshot.name} is bound by its ${TagKey.machineId} tag to ${tagged}, but AWSCURRENT's value names ${current.secret.machineId}; repair never changes a binding (the tag is the binding): nothing was changed`,
      );
    }
    return undefined;
  }
  if (!current.ok) {
    throw new OperationError(
      ErrorCode.machineBindingInvalid,
      `${snapshot.name} has no ${TagKey.machineId} tag and AWSCURRENT is not a machine secret (${current.error.code}), so there is no machine to bind it to: \`init <machineId> --adopt ${snapshot.name}\` writes Clerk's key and binds it; nothing was changed`,
    );
  }
  const source = resolveInstanceKeySecret({ option: instanceKeyOption, tags: snapshot.tags, env: ctx.env });
  if (source === undefined) {
    throw new UsageError(
      `repair must confirm the machine with Clerk to bind the secret, and there is ${INSTANCE_KEY_MISSING}`,
      'repair',
    );
  }
  const instanceKey = await readInstanceKeySecret(ctx.store(), source);
  const { machineId, secretKey } = current.secret;
  const { proof } = await confirmMachineBinding(ctx.clerk(), instanceKey, {
    secretName: snapshot.name,
    machineId,
    valueKey: secretKey,
  });
  return { machineId, proof };
}
