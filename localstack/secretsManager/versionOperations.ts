import { Stage } from '../../lib/constants.ts';
import { invalidParameter, invalidRequest, resourceNotFound } from './errors.ts';
import { paginate } from './pagination.ts';
import { nextRotationDate } from './rotationSchedule.ts';
import type { SecretVersion } from './SecretRecord.ts';
import {
  DAY_MS,
  epochSeconds,
  readClientRequestToken,
  readSecretValue,
  readVersionStages,
  type SecretsState,
} from './SecretsState.ts';
import { arnAndName } from './secretOutputs.ts';
import { attachLabel, detachLabel, findVersionWithLabel } from './stagingLabels.ts';
import { optionalBoolean, optionalString, requiredString, type WireObject } from './wireInput.ts';

type WireOutput = Record<string, unknown>;

const VERSION_ID_LIMITS = { min: 32, max: 64 } as const;
const STAGE_LIMITS = { min: 1, max: 256 } as const;

const requireVersion = (versions: ReadonlyMap<string, SecretVersion>, versionId: string): SecretVersion => {
  const version = versions.get(versionId);
  if (version === undefined) throw invalidParameter(`Not a valid version: ${versionId}`);
  return version;
};

/**
 * GetSecretValue: by VersionId, by VersionStage, or both (then they must name the same version); neither means
 * AWSCURRENT. A version without a value (RotateSecret's AWSPENDING placeholder) is ResourceNotFoundException.
 */
export const getSecretValue = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const versionId = optionalString(input, 'VersionId', VERSION_ID_LIMITS);
  const versionStage = optionalString(input, 'VersionStage', STAGE_LIMITS);
  let version: SecretVersion | undefined;
  let notFound: string;
  if (versionId !== undefined) {
    version = secret.versions.get(versionId);
    notFound = `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`;
    if (version !== undefined && versionStage !== undefined && !version.stages.includes(versionStage)) {
      throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    }
  } else {
    const stage = versionStage ?? Stage.current;
    version = findVersionWithLabel(secret, stage);
    notFound = `Secrets Manager can't find the specified secret value for staging label: ${stage}`;
  }
  if (version?.value === undefined) throw resourceNotFound(notFound);
  // Secrets Manager records access to the day, not the instant.
  const accessedDay = Math.floor(state.now() / DAY_MS) * DAY_MS;
  version.lastAccessedAt = accessedDay;
  secret.lastAccessedAt = accessedDay;
  return {
    ...arnAndName(secret),
    VersionId: version.versionId,
    ...(version.value.kind === 'string'
      ? { SecretString: version.value.text }
      : { SecretBinary: version.value.base64 }),
    VersionStages: [...version.stages],
    CreatedDate: epochSeconds(version.createdAt),
  };
};

/**
 * PutSecretValue: without VersionStages the new version becomes AWSCURRENT (and the old one AWSPREVIOUS); with them
 * it gets exactly those labels, moved from other versions. RotationToken is accepted and ignored.
 */
export const putSecretValue = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const token = readClientRequestToken(input);
  const value = readSecretValue(input);
  if (value === undefined) throw invalidRequest('You must provide either SecretString or SecretBinary.');
  const stages = readVersionStages(input, 'VersionStages');
  optionalString(input, 'RotationToken', { min: 36, max: 256 });
  const previousCurrent = findVersionWithLabel(secret, Stage.current);
  const { version, created } = state.putVersion(secret, { token, value, stages });
  if (created && previousCurrent !== version && version.stages.includes(Stage.current) && secret.rotation?.enabled) {
    // A manual update counts as a rotation for the schedule.
    secret.nextRotationAt = nextRotationDate(secret.rotation.rules, state.now());
  }
  return { ...arnAndName(secret), VersionId: version.versionId, VersionStages: [...version.stages] };
};

/**
 * UpdateSecretVersionStage: a label lives on exactly one version. Moving a label that another version carries needs
 * RemoveFromVersionId naming that version; without MoveToVersionId the label is removed (RemoveFromVersionId
 * required). Moving AWSCURRENT puts AWSPREVIOUS on the version that had it.
 */
export const updateSecretVersionStage = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const label = requiredString(input, 'VersionStage', STAGE_LIMITS);
  const moveToId = optionalString(input, 'MoveToVersionId', VERSION_ID_LIMITS);
  const removeFromId = optionalString(input, 'RemoveFromVersionId', VERSION_ID_LIMITS);
  const moveTo = moveToId === undefined ? undefined : requireVersion(secret.versions, moveToId);
  const removeFrom = removeFromId === undefined ? undefined : requireVersion(secret.versions, removeFromId);
  const holder = findVersionWithLabel(secret, label);

  if (removeFrom !== undefined && !removeFrom.stages.includes(label)) {
    throw invalidParameter(`Version stage ${label} not found in version ${removeFrom.versionId}`);
  }
  if (moveTo === undefined) {
    if (removeFrom === undefined) {
      throw invalidParameter(
        "The parameter RemoveFromVersionId can't be empty when MoveToVersionId is omitted: name the version to remove the staging label from.",
      );
    }
    if (label === Stage.current) {
      throw invalidParameter(
        `You can't remove the staging label ${Stage.current} from version ${removeFrom.versionId} without moving it: a secret must keep a current version. Use MoveToVersionId.`,
      );
    }
    detachLabel(removeFrom, label);
  } else if (holder !== moveTo) {
    if (holder !== undefined && removeFrom === undefined) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    attachLabel(secret, moveTo, label);
  }
  secret.lastChangedAt = state.now();
  return arnAndName(secret);
};

/** ListSecretVersionIds: labelled versions, plus the deprecated (unlabelled) ones with IncludeDeprecated. */
export const listSecretVersionIds = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.require(requiredString(input, 'SecretId'));
  const includeDeprecated = optionalBoolean(input, 'IncludeDeprecated') ?? false;
  const versions = [...secret.versions.values()].filter((version) => includeDeprecated || version.stages.length > 0);
  const page = paginate(versions, input);
  return {
    ...arnAndName(secret),
    Versions: page.items.map((version) => ({
      VersionId: version.versionId,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
      ...(version.lastAccessedAt !== undefined ? { LastAccessedDate: epochSeconds(version.lastAccessedAt) } : {}),
    })),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};
