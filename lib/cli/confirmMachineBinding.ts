import { TagKey } from '../constants.ts';
import { askClerkAboutKey } from '../core/askClerkAboutKey.ts';
import type { ClerkMachineApi } from '../core/ClerkMachineApi.ts';
import { ClerkApiError, ErrorCode } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { OperationError } from './errors.ts';

/** How Clerk confirmed that a secret belongs to its machine, before the CLI binds it by tag. */
export type BindingProof =
  /** The value's key is Clerk's current key for the machine. */
  | 'current-key'
  /** The value's key is not Clerk's current key, but Clerk still accepts it for the machine (an overlap). */
  | 'accepted-key'
  /** The value holds no key of the machine (init writes Clerk's current key): the machine exists for the instance key. */
  | 'machine-exists';

export interface MachineConfirmation {
  /** Clerk's current key for the machine. */
  readonly clerkKey: Redacted;
  readonly proof: BindingProof;
}

export interface BindingInput {
  readonly secretName: string;
  readonly machineId: string;
  /** The key the secret's value holds for that machine, if it holds one. */
  readonly valueKey: Redacted | undefined;
}

function mismatch(input: BindingInput, why: string): OperationError {
  return new OperationError(
    ErrorCode.machineMismatch,
    `${input.secretName} cannot be bound to ${input.machineId} (tag ${TagKey.machineId}): ${why}; nothing was changed`,
  );
}

/**
 * Confirms with Clerk that a secret without its `clerk-rotator:machine-id` tag belongs to the machine its value (or
 * the operator) names, before the tag that binds it is written (docs/decisions/008): the machine exists for the
 * instance key, and the value's key — if it holds one — is Clerk's current key or one Clerk still accepts for it.
 * Anything else — a rejection, or an answer that confirms nothing — is refused as MACHINE_MISMATCH.
 */
export async function confirmMachineBinding(
  clerk: ClerkMachineApi,
  instanceKey: Redacted,
  input: BindingInput,
): Promise<MachineConfirmation> {
  let clerkKey: Redacted;
  try {
    clerkKey = await clerk.getMachineSecretKey(instanceKey, input.machineId);
  } catch (error) {
    if (error instanceof ClerkApiError && error.code === ErrorCode.clerkNotFound) {
      throw mismatch(input, 'Clerk has no such machine for this instance key (404)');
    }
    throw error;
  }
  if (input.valueKey === undefined) return { clerkKey, proof: 'machine-exists' };
  if (clerkKey.equals(input.valueKey)) return { clerkKey, proof: 'current-key' };
  const verdict = await askClerkAboutKey(clerk, input.valueKey, input.machineId);
  if (verdict === 'accepted') return { clerkKey, proof: 'accepted-key' };
  if (verdict === 'rejected') {
    throw mismatch(
      input,
      `the key its value holds is not Clerk's current key for ${input.machineId}, and Clerk rejects it`,
    );
  }
  // A 403 (another machine's key), a 5xx, a timeout: nothing confirmed, so nothing is bound.
  throw mismatch(
    input,
    `the key its value holds is not Clerk's current key for ${input.machineId}, and Clerk did not confirm that it accepts that key (${verdict.unknown})`,
  );
}

/** The binding in words, for reports. */
export function describeBindingProof(proof: BindingProof): string {
  switch (proof) {
    case 'current-key':
      return "Clerk confirmed it: the value's key is the machine's current key";
    case 'accepted-key':
      return "Clerk confirmed it: Clerk still accepts the value's key for the machine";
    default:
      return 'Clerk confirmed that the machine exists for the instance key';
  }
}
