import type { Clock } from '../Clock.ts';
import { Stage, TagKey } from '../constants.ts';
import { askClerkAboutKey } from '../core/askClerkAboutKey.ts';
import type { ClerkMachineApi } from '../core/ClerkMachineApi.ts';
import { checkMachineBinding } from '../core/checkMachineBinding.ts';
import { readInstanceKey } from '../core/readInstanceKey.ts';
import { classifyRotateRecords, landingHorizonEnd } from '../core/rotateRecords.ts';
import { type FunctionSettings, resolveRotationSettings } from '../core/rotationSettings.ts';
import { type SecretDescription, type SecretStore, versionWithStage } from '../core/SecretStore.ts';
import { ErrorCode, isRotatorError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import type { RatePacer } from './createRatePacer.ts';
import type { HealState, SecretVerdict } from './SecretVerdict.ts';

export interface VerificationContext {
  readonly store: SecretStore;
  readonly clerk: ClerkMachineApi;
  readonly clock: Clock;
  /** Paces Clerk calls per instance-key secret (one Clerk instance, one rate limit). */
  readonly pacer: RatePacer;
  readonly functionSettings: FunctionSettings;
  readonly pendingStuckAfterSeconds: number;
  /** Start a rotation that adopts Clerk's key on drift; false only reports. */
  readonly heal: boolean;
  /** Instance keys read so far in this run, by secret id: one read per instance per run. */
  readonly instanceKeys: Map<string, Promise<Redacted>>;
}

type Verdict = Omit<SecretVerdict, 'secretArn' | 'name'>;

const iso = (ms: number) => new Date(ms).toISOString();

function instanceKeyFor(
  context: VerificationContext,
  secret: SecretDescription,
): { id: string; key: Promise<Redacted> } {
  const settings = resolveRotationSettings(context.functionSettings, secret.tags);
  const id = settings.instanceKeySecretId;
  let key = context.instanceKeys.get(id);
  if (key === undefined) {
    key = readInstanceKey(context.store, settings);
    context.instanceKeys.set(id, key);
  }
  return { id, key };
}

async function pendingAge(context: VerificationContext, secret: SecretDescription, versionId: string) {
  const created = (await context.store.versionCreationDates(secret.arn))[versionId];
  return created === undefined ? undefined : Math.max(0, Math.round((context.clock.now() - created) / 1000));
}

/** Starts the rotation that adopts Clerk's key, first clearing a stuck AWSPENDING that would block it. */
async function startHealing(
  context: VerificationContext,
  secret: SecretDescription,
  stuckPendingVersionId: string | undefined,
): Promise<HealState> {
  const { inFlight } = await classifyRotateRecords(context.store, secret, {
    now: context.clock.now(),
    horizonSeconds: context.functionSettings.rotateLandingHorizonSeconds,
  });
  if (inFlight[0] !== undefined) {
    return {
      state: 'waiting',
      until: iso(landingHorizonEnd(inFlight[0], context.functionSettings.rotateLandingHorizonSeconds)),
    };
  }
  if (!context.heal) return { state: 'off' };
  try {
    if (stuckPendingVersionId !== undefined) {
      await context.store.updateStage({
        secretId: secret.arn,
        stage: Stage.pending,
        removeFromVersionId: stuckPendingVersionId,
      });
    }
    return { state: 'started', versionId: await context.store.startRotation(secret.arn) };
  } catch (error) {
    return { state: 'failed', errorCode: isRotatorError(error) ? error.code : 'UNEXPECTED' };
  }
}

/** Whether Clerk still accepts AWSCURRENT's key; undefined when Clerk could not say (never guessed either way). */
async function isAccepted(context: VerificationContext, pacerKey: string, current: MachineSecret) {
  await context.pacer.take(pacerKey);
  const verdict = await askClerkAboutKey(context.clerk, current.secretKey, current.machineId);
  return verdict === 'accepted' ? true : verdict === 'rejected' ? false : undefined;
}

async function compareWithClerk(context: VerificationContext, secret: SecretDescription): Promise<Verdict> {
  const value = await context.store.getSecretVersion(secret.arn, { stage: Stage.current });
  const current = parseMachineSecret(value?.secretString, `AWSCURRENT of ${secret.arn}`);
  checkMachineBinding(secret, current.machineId, `AWSCURRENT's value`);
  const { machineId } = current;
  const instance = instanceKeyFor(context, secret);
  const instanceKey = await instance.key;

  const currentVersionId = versionWithStage(secret, Stage.current);
  const pendingVersionId = versionWithStage(secret, Stage.pending);
  let pending: SecretVerdict['pending'];
  if (pendingVersionId !== undefined && pendingVersionId !== currentVersionId) {
    const ageSeconds = await pendingAge(context, secret, pendingVersionId);
    pending = { versionId: pendingVersionId, ageSeconds, stuck: (ageSeconds ?? 0) > context.pendingStuckAfterSeconds };
  }
  const stuck = pending?.stuck === true;

  await context.pacer.take(instance.id);
  const clerkKey = await context.clerk.getMachineSecretKey(instanceKey, machineId);
  if (clerkKey.equals(current.secretKey)) {
    if (pending === undefined) return { machineId, outcome: 'in-sync', detail: "AWSCURRENT holds Clerk's current key" };
    return {
      machineId,
      pending,
      outcome: stuck ? 'pending-stuck' : 'rotation-in-progress',
      detail: stuck
        ? `AWSPENDING has been on version ${pending.versionId} for ${pending.ageSeconds} s (a rotation that did not finish); AWSCURRENT is Clerk's current key`
        : `a rotation is running (AWSPENDING on version ${pending.versionId})`,
    };
  }

  const currentKeyAccepted = await isAccepted(context, instance.id, current);
  const heal: HealState =
    pending !== undefined && !stuck
      ? { state: 'rotation-running' }
      : await startHealing(context, secret, stuck ? pending?.versionId : undefined);
  const accepted =
    currentKeyAccepted === undefined
      ? 'whether Clerk still accepts it could not be checked'
      : currentKeyAccepted
        ? 'Clerk still accepts it (until its overlap ends)'
        : 'Clerk REJECTS it: apps reading it are failing';
  return {
    machineId,
    outcome: 'drift',
    currentKeyAccepted,
    heal,
    pending,
    detail: `AWSCURRENT's key is not Clerk's current key; ${accepted}`,
  };
}

/**
 * Verifies one managed machine secret: AWSCURRENT's key against Clerk's current key (one Secrets Manager read and
 * one paced Clerk read when healthy), and on drift whether Clerk still accepts AWSCURRENT's key and a healing rotation
 * that adopts Clerk's key — never a new Clerk rotate, and never while a recorded rotate may still land.
 */
export async function verifyMachineSecret(
  context: VerificationContext,
  secret: SecretDescription,
): Promise<SecretVerdict> {
  const base = { secretArn: secret.arn, name: secret.name };
  const taggedMachine = secret.tags[TagKey.machineId];
  try {
    return { ...base, ...(await compareWithClerk(context, secret)) };
  } catch (error) {
    const code = isRotatorError(error) ? error.code : 'UNEXPECTED';
    const invalid =
      code === ErrorCode.secretFormatInvalid ||
      code === ErrorCode.machineBindingInvalid ||
      code === ErrorCode.instanceKeyNotAllowed ||
      code === ErrorCode.instanceKeyInvalid ||
      code === ErrorCode.configInvalid;
    return {
      ...base,
      machineId: taggedMachine,
      outcome: invalid ? 'invalid' : 'failed',
      errorCode: code,
      detail: isRotatorError(error) ? error.message : `unexpected error: ${(error as Error)?.name ?? 'unknown'}`,
    };
  }
}
