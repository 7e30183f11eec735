import { Stage } from '../constants.ts';
import { versionWithStage } from '../core/SecretStore.ts';
import { isRotatorError, type RotatorError } from '../errors.ts';
import { type MachineSecret, parseMachineSecret } from '../secretFormat.ts';
import type { OperatorSecretStore, SecretMetadata, VersionEntry } from './createOperatorSecretStore.ts';

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

/** Everything `status`, `verify` and `repair` look at, read once: metadata, labelled versions, AWSCURRENT. */
export interface SecretSnapshot extends SecretMetadata {
  readonly versions: readonly VersionEntry[];
  readonly currentVersionId: string | undefined;
  readonly current: CurrentValue;
  readonly pending: PendingVersion | undefined;
  /** AWSPENDING left on the AWSCURRENT version (a finishSecret interrupted between its two calls). */
  readonly leftoverPendingLabel: boolean;
}

export async function readSecretSnapshot(store: OperatorSecretStore, secretId: string): Promise<SecretSnapshot> {
  const metadata = await store.describe(secretId);
  const versions = await store.listVersions(metadata.arn);
  const currentVersionId = versionWithStage(metadata, Stage.current);
  const pendingVersionId = versionWithStage(metadata, Stage.pending);

  let current: CurrentValue;
  const value = await store.getValue(metadata.arn, { stage: Stage.current });
  try {
    // No value at all (a secret created empty) fails the parse like a malformed one: "has no SecretString".
    const secret = parseMachineSecret(value?.secretString, `AWSCURRENT of ${metadata.name}`);
    current = { ok: true, versionId: value?.versionId ?? currentVersionId ?? '', secret };
  } catch (error) {
    if (!isRotatorError(error)) throw error;
    current = { ok: false, versionId: value?.versionId ?? currentVersionId, error };
  }

  let pending: PendingVersion | undefined;
  if (pendingVersionId !== undefined && pendingVersionId !== currentVersionId) {
    const pendingValue = await store.getValue(metadata.arn, { versionId: pendingVersionId });
    pending = {
      versionId: pendingVersionId,
      createdAt: versions.find((version) => version.versionId === pendingVersionId)?.createdAt,
      hasValue: pendingValue !== undefined,
    };
  }

  return {
    ...metadata,
    versions,
    currentVersionId,
    current,
    pending,
    leftoverPendingLabel: pendingVersionId !== undefined && pendingVersionId === currentVersionId,
  };
}
