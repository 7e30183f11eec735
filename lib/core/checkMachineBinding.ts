import { TagKey } from '../constants.ts';
import { describeValue } from '../describeValue.ts';
import { ErrorCode, RotationStateError } from '../errors.ts';
import type { SecretDescription } from './SecretStore.ts';

/**
 * A secret is bound to its Clerk machine by its `clerk-rotator:machine-id` tag, set at deploy time (the construct)
 * or by `clerk-rotator init` after confirming the machine with Clerk. The value's `machineId` is only a copy:
 * whoever can write a value must not be able to point the secret at another machine (and so pull that machine's
 * key into a secret they can read). Refused before any Clerk call, nothing changed.
 */
export function checkMachineBinding(
  secret: Pick<SecretDescription, 'arn' | 'tags'>,
  valueMachineId: string,
  where: string,
): void {
  const tagged = secret.tags[TagKey.machineId];
  if (tagged === undefined || tagged.trim() === '') {
    throw new RotationStateError(
      ErrorCode.machineBindingInvalid,
      `secret ${secret.arn} has no ${TagKey.machineId} tag; the function rotates only secrets bound to a machine by that tag (got ${where} naming ${valueMachineId}; add the tag with clerk-rotator init --adopt or repair)`,
    );
  }
  if (tagged.trim() !== valueMachineId) {
    throw new RotationStateError(
      ErrorCode.machineBindingInvalid,
      `${where} names machine ${valueMachineId}, but secret ${secret.arn} is bound by its ${TagKey.machineId} tag to ${describeValue(tagged)}; refusing to rotate another machine's key`,
    );
  }
}
