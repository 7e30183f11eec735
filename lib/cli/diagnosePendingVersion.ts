import type { ClerkMachineApi } from '../clerk/ClerkClient.ts';
import { TagKey } from '../constants.ts';
import { askClerkAboutKey } from '../core/askClerkAboutKey.ts';
import type { SecretStore } from '../core/SecretStore.ts';
import { ErrorCode, isRotatorError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import type { CliContext } from './CliContext.ts';
import { CliErrorCode, clerkDidNotAnswer, type ReasonCode } from './errors.ts';
import { formatInstant } from './formatTime.ts';
import type { CurrentValue, PendingVersion, SecretSnapshot } from './readSecretSnapshot.ts';
import { readInstanceKeySecret, resolveInstanceKeySecret } from './resolveInstanceKey.ts';

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

type Ports = { readonly store: Pick<SecretStore, 'getSecretVersion'>; readonly clerk: ClerkMachineApi };
type Unchecked = Omit<PendingDiagnosis, 'code' | 'reason' | 'action' | 'findings'>;

/** Clerk's answer about a key; a failure that says nothing about it (not a 401) stops the diagnosis. */
async function isKeyAccepted(clerk: ClerkMachineApi, key: Redacted, machineId: string, which: string) {
  const verdict = await askClerkAboutKey(clerk, key, machineId);
  if (typeof verdict === 'object') throw clerkDidNotAnswer(verdict.unknown, `whether Clerk accepts ${which}`);
  return verdict === 'accepted';
}

/** createSecret never stored a value: removing the label is safe; Clerk says whether a rotate already happened. */
async function diagnoseEmpty(clerk: ClerkMachineApi, input: DiagnoseInput, base: Unchecked): Promise<PendingDiagnosis> {
  const findings = ['the pending version has no value: createSecret never stored one'];
  const currentSecret = input.current.ok ? input.current.secret : undefined;
  let clerkHoldsUnstoredKey: boolean | undefined;
  if (input.instanceKey !== undefined && currentSecret !== undefined) {
    const clerkKey = await clerk.getMachineSecretKey(input.instanceKey, currentSecret.machineId);
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

/** A staged key of the right machine: promote only if Clerk accepts it and it is Clerk's current key. */
async function diagnoseStaged(
  clerk: ClerkMachineApi,
  input: DiagnoseInput,
  pending: MachineSecret,
  staged: Unchecked,
): Promise<PendingDiagnosis> {
  const keyAccepted = await isKeyAccepted(clerk, pending.secretKey, pending.machineId, 'the pending key');
  const findings = [keyAccepted ? 'Clerk accepts the pending key' : 'Clerk rejects the pending key (401)'];
  const removeLabel = { ...staged, keyAccepted, action: 'remove-pending-label' as const, findings };
  if (!keyAccepted) {
    return { ...removeLabel, code: ErrorCode.clerkUnauthorized, reason: 'Clerk does not accept the pending key' };
  }
  if (input.instanceKey === undefined) {
    findings.push("Clerk's current key was not read (no instance key), so promotion cannot be proven safe");
    const reason = 'the pending key works at Clerk but never became AWSCURRENT';
    return { ...staged, keyAccepted, code: CliErrorCode.rotationStuck, reason, action: undefined, findings };
  }
  const clerkKey = await clerk.getMachineSecretKey(input.instanceKey, pending.machineId);
  const isClerkCurrent = clerkKey.equals(pending.secretKey);
  if (!isClerkCurrent) {
    const currentKey = input.current.ok ? input.current.secret.secretKey : undefined;
    findings.push(
      "the pending key is no longer Clerk's current key: the machine was rotated at Clerk after it was staged, so it expires with that rotation's overlap",
    );
    return {
      ...removeLabel,
      isClerkCurrent,
      clerkHoldsUnstoredKey: !(currentKey?.equals(clerkKey) ?? false),
      code: ErrorCode.pendingKeyStale,
      reason: "the pending key works but is no longer Clerk's current key",
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

/**
 * Why a pending version is stuck, and the safe way out. Promotion needs proof (the key works at Clerk and is Clerk's
 * current key); removing the label is always safe, because the next createSecret reads Clerk's current key and
 * adopts it rather than rotating again (docs/decisions/003-exactly-once-rotation.md).
 */
export async function diagnosePendingVersion(ports: Ports, input: DiagnoseInput): Promise<PendingDiagnosis> {
  const { versionId } = input;
  const expectedMachineId = input.current.ok ? input.current.secret.machineId : input.tags[TagKey.machineId];
  const base: Unchecked = {
    versionId,
    hasValue: false,
    machineId: expectedMachineId,
    keyAccepted: undefined,
    isClerkCurrent: undefined,
    clerkHoldsUnstoredKey: undefined,
    previousKeyExpiresAt: undefined,
  };
  const value = await ports.store.getSecretVersion(input.secretArn, { versionId });
  if (value?.secretString === undefined) return diagnoseEmpty(ports.clerk, input, base);

  let pending: MachineSecret;
  try {
    pending = parseMachineSecret(value.secretString, `AWSPENDING version ${versionId}`);
  } catch (error) {
    if (!isRotatorError(error)) throw error;
    const reason = 'the pending value is not a valid machine secret';
    return {
      ...base,
      hasValue: true,
      code: error.code,
      reason,
      action: 'remove-pending-label',
      findings: [error.message],
    };
  }
  const staged = {
    ...base,
    hasValue: true,
    machineId: pending.machineId,
    previousKeyExpiresAt: pending.previousKeyExpiresAt,
  };
  if (expectedMachineId !== undefined && pending.machineId !== expectedMachineId) {
    return {
      ...staged,
      code: ErrorCode.machineMismatch,
      reason: 'the pending value belongs to another machine',
      action: 'remove-pending-label',
      findings: [`the pending value is for machine ${pending.machineId}, AWSCURRENT is for ${expectedMachineId}`],
    };
  }
  return diagnoseStaged(ports.clerk, input, pending, staged);
}

/**
 * The diagnosis of a snapshot's pending version, with the instance key resolved as the rotation function would
 * (the option first, then the secret's tag, then the environment); without one, promotion stays undecided.
 */
export async function diagnoseSnapshotPending(
  ctx: Pick<CliContext, 'store' | 'clerk' | 'env'>,
  snapshot: SecretSnapshot & { readonly pending: PendingVersion },
  instanceKeyOption: string | undefined,
): Promise<PendingDiagnosis> {
  const store = ctx.store();
  const source = resolveInstanceKeySecret({ option: instanceKeyOption, tags: snapshot.tags, env: ctx.env });
  const instanceKey = source === undefined ? undefined : await readInstanceKeySecret(store, source);
  return diagnosePendingVersion(
    { store, clerk: ctx.clerk() },
    {
      secretArn: snapshot.arn,
      versionId: snapshot.pending.versionId,
      current: snapshot.current,
      tags: snapshot.tags,
      instanceKey,
    },
  );
}
