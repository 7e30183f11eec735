import type { ClerkMachineApi } from '../clerk/ClerkClient.ts';
import { TagKey } from '../constants.ts';
import { ClerkApiError, ErrorCode, isRotatorError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { parseMachineSecret } from '../secretFormat.ts';
import type { OperatorSecretStore } from './createOperatorSecretStore.ts';
import { CliErrorCode, type ReasonCode } from './errors.ts';
import { formatInstant } from './formatTime.ts';
import type { CurrentValue } from './readSecretSnapshot.ts';

/** What to do about a pending version that never became AWSCURRENT. */
export type PendingAction =
  /** Its key works and is Clerk's current key: move AWSCURRENT to it, then remove AWSPENDING. */
  | 'promote'
  /** Anything else: remove the AWSPENDING label; the next rotation's createSecret adopts Clerk's current key. */
  | 'remove-pending-label';

export interface PendingDiagnosis {
  readonly versionId: string;
  readonly hasValue: boolean;
  readonly machineId: string | undefined;
  /** Whether Clerk accepts the pending key; undefined when not checked. */
  readonly keyAccepted: boolean | undefined;
  /** Whether the pending key is Clerk's current key; undefined when not checked (no instance key). */
  readonly isClerkCurrent: boolean | undefined;
  /** Whether Clerk's current key differs from AWSCURRENT's and from the pending one: a rotate nobody stored. */
  readonly clerkHoldsUnstoredKey: boolean | undefined;
  /** The pending value's `previousKeyExpiresAt`: when AWSCURRENT's key stops working at Clerk. */
  readonly previousKeyExpiresAt: string | undefined;
  readonly code: ReasonCode;
  readonly reason: string;
  /** Undefined when it cannot be decided safely (no instance key to compare with Clerk). */
  readonly action: PendingAction | undefined;
  readonly findings: readonly string[];
}

export interface DiagnoseInput {
  readonly secretArn: string;
  readonly versionId: string;
  readonly current: CurrentValue;
  readonly tags: Readonly<Record<string, string>>;
  /** Undefined: Clerk's current key cannot be read, so promotion cannot be proven safe. */
  readonly instanceKey: Redacted | undefined;
}

async function isAccepted(clerk: ClerkMachineApi, key: Redacted, machineId: string): Promise<boolean> {
  try {
    await clerk.verifyMachineKey(key, machineId);
    return true;
  } catch (error) {
    if (error instanceof ClerkApiError && error.code === ErrorCode.clerkUnauthorized) return false;
    throw error;
  }
}

/**
 * Why a pending version is stuck, and the safe way out. Promotion needs proof (the key works at Clerk and is Clerk's
 * current key); removing the label is always safe, because the next createSecret reads Clerk's current key and
 * adopts it rather than rotating again (docs/decisions/003-exactly-once-rotation.md).
 */
export async function diagnosePendingVersion(
  ports: { readonly store: OperatorSecretStore; readonly clerk: ClerkMachineApi },
  input: DiagnoseInput,
): Promise<PendingDiagnosis> {
  const { store, clerk } = ports;
  const { versionId, instanceKey } = input;
  const findings: string[] = [];
  const currentSecret = input.current.ok ? input.current.secret : undefined;
  const expectedMachineId = currentSecret?.machineId ?? input.tags[TagKey.machineId];
  const base = {
    versionId,
    hasValue: false,
    machineId: expectedMachineId,
    keyAccepted: undefined,
    isClerkCurrent: undefined,
    clerkHoldsUnstoredKey: undefined,
    previousKeyExpiresAt: undefined,
  };

  const value = await store.getValue(input.secretArn, { versionId });
  if (value === undefined) {
    findings.push('the pending version has no value: createSecret never stored one');
    let clerkHoldsUnstoredKey: boolean | undefined;
    if (instanceKey !== undefined && currentSecret !== undefined) {
      const clerkKey = await clerk.getMachineSecretKey(instanceKey, currentSecret.machineId);
      clerkHoldsUnstoredKey = !clerkKey.equals(currentSecret.secretKey);
      findings.push(
        clerkHoldsUnstoredKey
          ? "Clerk's current key is not AWSCURRENT's: a rotate at Clerk took effect but was never stored. The next rotation adopts that key instead of rotating again; run it soon, AWSCURRENT's key only works until Clerk's overlap ends"
          : "Clerk's current key is still AWSCURRENT's: nothing changed at Clerk",
      );
    }
    return {
      ...base,
      clerkHoldsUnstoredKey,
      code: ErrorCode.pendingValueMissing,
      reason: 'createSecret never stored a value on the pending version',
      action: 'remove-pending-label',
      findings,
    };
  }

  let pending: ReturnType<typeof parseMachineSecret>;
  try {
    pending = parseMachineSecret(value.secretString, `AWSPENDING version ${versionId}`);
  } catch (error) {
    if (!isRotatorError(error)) throw error;
    findings.push(error.message);
    return {
      ...base,
      hasValue: true,
      code: error.code,
      reason: 'the pending value is not a valid machine secret',
      action: 'remove-pending-label',
      findings,
    };
  }
  const staged = {
    ...base,
    hasValue: true,
    machineId: pending.machineId,
    previousKeyExpiresAt: pending.previousKeyExpiresAt,
  };

  if (expectedMachineId !== undefined && pending.machineId !== expectedMachineId) {
    findings.push(`the pending value is for machine ${pending.machineId}, AWSCURRENT is for ${expectedMachineId}`);
    return {
      ...staged,
      code: ErrorCode.machineMismatch,
      reason: 'the pending value belongs to another machine',
      action: 'remove-pending-label',
      findings,
    };
  }

  const keyAccepted = await isAccepted(clerk, pending.secretKey, pending.machineId);
  findings.push(keyAccepted ? 'Clerk accepts the pending key' : 'Clerk rejects the pending key (401)');
  if (!keyAccepted) {
    return {
      ...staged,
      keyAccepted,
      code: ErrorCode.clerkUnauthorized,
      reason: 'Clerk does not accept the pending key',
      action: 'remove-pending-label',
      findings,
    };
  }

  if (instanceKey === undefined) {
    findings.push("Clerk's current key was not read (no instance key), so promotion cannot be proven safe");
    return {
      ...staged,
      keyAccepted,
      code: CliErrorCode.rotationStuck,
      reason: 'the pending key works at Clerk but never became AWSCURRENT',
      action: undefined,
      findings,
    };
  }

  const clerkKey = await clerk.getMachineSecretKey(instanceKey, pending.machineId);
  const isClerkCurrent = clerkKey.equals(pending.secretKey);
  const clerkHoldsUnstoredKey = !isClerkCurrent && !(currentSecret?.secretKey.equals(clerkKey) ?? false);
  if (!isClerkCurrent) {
    findings.push(
      "the pending key is no longer Clerk's current key: the machine was rotated at Clerk after it was staged, so it expires with that rotation's overlap",
    );
    return {
      ...staged,
      keyAccepted,
      isClerkCurrent,
      clerkHoldsUnstoredKey,
      code: ErrorCode.pendingKeyStale,
      reason: "the pending key works but is no longer Clerk's current key",
      action: 'remove-pending-label',
      findings,
    };
  }
  findings.push("the pending key is Clerk's current key");
  if (pending.previousKeyExpiresAt !== undefined) {
    findings.push(
      `AWSCURRENT's key stops working at Clerk at ${formatInstant(Date.parse(pending.previousKeyExpiresAt))}: promote before then`,
    );
  }
  return {
    ...staged,
    keyAccepted,
    isClerkCurrent,
    clerkHoldsUnstoredKey: false,
    code: CliErrorCode.rotationStuck,
    reason:
      "the pending key works and is Clerk's current key, but it never became AWSCURRENT (testSecret or finishSecret failed)",
    action: 'promote',
    findings,
  };
}
