import { Stage } from '../constants.ts';
import { type SecretDescription, type SecretStore, versionWithStage } from '../core/SecretStore.ts';
import { isRotatorError, type RotatorError } from '../errors.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';

/** A version that carries a label, with when it was created (epoch ms). */
export interface VersionEntry {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: number | undefined;
}

/** AWSCURRENT's value, parsed; or why it could not be. */
export type CurrentValue =
  | { readonly ok: true; readonly versionId: string; readonly secret: MachineSecret }
  | { readonly ok: false; readonly versionId: string | undefined; readonly error: RotatorError };

/** AWSPENDING on a version other than AWSCURRENT: a rotation that has not finished. */
export interface PendingVersion {
  readonly versionId: string;
  readonly createdAt: number | undefined;
  /** Whether createSecret stored a value on it (RotateSecret stages it empty). */
  readonly hasValue: boolean;
}

/** Everything `status`, `verify` and `repair` look at, read once: DescribeSecret, labelled versions, AWSCURRENT. */
export interface SecretSnapshot extends SecretDescription {
  readonly versions: readonly VersionEntry[];
  readonly currentVersionId: string | undefined;
  readonly current: CurrentValue;
  readonly pending: PendingVersion | undefined;
  /** AWSPENDING left on the AWSCURRENT version (a finishSecret interrupted between its two calls). */
  readonly leftoverPendingLabel: boolean;
}

async function readCurrent(store: SecretStore, description: SecretDescription): Promise<CurrentValue> {
  const currentVersionId = versionWithStage(description, Stage.current);
  const value = await store.getSecretVersion(description.arn, { stage: Stage.current });
  try {
    // No value at all (a secret created empty) fails the parse like a malformed one: "has no SecretString".
    const secret = parseMachineSecret(value?.secretString, `AWSCURRENT of ${description.name}`);
    return { ok: true, versionId: value?.versionId ?? currentVersionId ?? '', secret };
  } catch (error) {
    if (!isRotatorError(error)) throw error;
    return { ok: false, versionId: value?.versionId ?? currentVersionId, error };
  }
}

/** DescribeSecret, the labelled versions with their creation times (ListSecretVersionIds), and AWSCURRENT's value. */
export async function readSecretSnapshot(store: SecretStore, secretId: string): Promise<SecretSnapshot> {
  const description = await store.describeSecret(secretId);
  const createdAt = await store.versionCreationDates(description.arn);
  const versions = Object.entries(description.versionIdsToStages)
    .filter(([, stages]) => stages.length > 0)
    .map(([versionId, stages]) => ({ versionId, stages, createdAt: createdAt[versionId] }))
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  const currentVersionId = versionWithStage(description, Stage.current);
  const pendingVersionId = versionWithStage(description, Stage.pending);
  const current = await readCurrent(store, description);

  let pending: PendingVersion | undefined;
  if (pendingVersionId !== undefined && pendingVersionId !== currentVersionId) {
    const pendingValue = await store.getSecretVersion(description.arn, { versionId: pendingVersionId });
    pending = {
      versionId: pendingVersionId,
      createdAt: createdAt[pendingVersionId],
      hasValue: pendingValue?.secretString !== undefined,
    };
  }

  return {
    ...description,
    versions,
    currentVersionId,
    current,
    pending,
    leftoverPendingLabel: pendingVersionId !== undefined && pendingVersionId === currentVersionId,
  };
}
