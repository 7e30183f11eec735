import { Stage } from '../../lib/constants.ts';
import { invalidParameter, invalidRequest, resourceExists } from './errors.ts';
import { matchesFilters, readFilters } from './listSecretsFilters.ts';
import { paginate } from './pagination.ts';
import { type SecretRecord, type SecretValue, sameValue } from './SecretRecord.ts';
import { DAY_MS, epochSeconds, readClientRequestToken, readSecretValue, type SecretsState } from './SecretsState.ts';
import { arnAndName, describeSecretOutput, listSecretsEntry } from './secretOutputs.ts';
import {
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
  type WireObject,
} from './wireInput.ts';

type WireOutput = Record<string, unknown>;

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;

export const createSecret = (state: SecretsState, input: WireObject): WireOutput => {
  const name = requiredString(input, 'Name', { min: 1, max: 512 });
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
  const token = readClientRequestToken(input);
  const value = readSecretValue(input);
  const description = optionalString(input, 'Description', { max: 2048 });
  const kmsKeyId = optionalString(input, 'KmsKeyId', { max: 2048 });
  const tags = optionalTags(input, 'Tags') ?? [];

  const existing = state.find(name);
  if (existing !== undefined) {
    if (existing.deletionDate !== undefined) {
      throw invalidRequest(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    return repeatedCreate(existing, token, value);
  }

  const now = state.now();
  const secret: SecretRecord = {
    arn: state.newArn(name),
    name,
    createdAt: now,
    description,
    kmsKeyId,
    tags: dedupeTags(tags),
    versions: new Map(),
    lastChangedAt: now,
    lastAccessedAt: undefined,
    deletionDate: undefined,
    rotation: undefined,
    lastRotatedAt: undefined,
    nextRotationAt: undefined,
    createToken: token,
  };
  state.add(secret);
  if (value === undefined) return arnAndName(secret);
  const { version } = state.putVersion(secret, { token, value, stages: [Stage.current] });
  return { ...arnAndName(secret), VersionId: version.versionId };
};

/**
 * CreateSecret repeated with the same ClientRequestToken (an SDK retry after a lost response) succeeds without change
 * when it asks for the same value; the same token with another value, or another token, is ResourceExistsException.
 */
const repeatedCreate = (
  existing: SecretRecord,
  token: string | undefined,
  value: SecretValue | undefined,
): WireOutput => {
  if (token !== undefined) {
    const version = existing.versions.get(token);
    if (version !== undefined && value !== undefined) {
      if (!sameValue(version.value, value)) {
        throw resourceExists(
          `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${existing.arn}.`,
        );
      }
      return { ...arnAndName(existing), VersionId: version.versionId };
    }
    if (version === undefined && value === undefined && existing.createToken === token) return arnAndName(existing);
  }
  throw resourceExists(`The operation failed because the secret ${existing.name} already exists.`);
};

const dedupeTags = (tags: SecretRecord['tags']): SecretRecord['tags'] => {
  const byKey = new Map(tags.map((tag) => [tag.Key, tag]));
  return [...byKey.values()];
};

export const describeSecret = (state: SecretsState, input: WireObject): WireOutput =>
  describeSecretOutput(state.require(requiredString(input, 'SecretId')));

export const updateSecret = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const token = readClientRequestToken(input);
  const value = readSecretValue(input);
  const description = optionalString(input, 'Description', { max: 2048 });
  const kmsKeyId = optionalString(input, 'KmsKeyId', { max: 2048 });
  if (description !== undefined) secret.description = description;
  if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
  secret.lastChangedAt = state.now();
  if (value === undefined) return arnAndName(secret);
  const { version } = state.putVersion(secret, { token, value, stages: [Stage.current] });
  return { ...arnAndName(secret), VersionId: version.versionId };
};

export const listSecrets = (state: SecretsState, input: WireObject): WireOutput => {
  const filters = readFilters(input);
  const includePlannedDeletion = optionalBoolean(input, 'IncludePlannedDeletion') ?? false;
  const sortOrder = optionalString(input, 'SortOrder');
  if (sortOrder !== undefined && sortOrder !== 'asc' && sortOrder !== 'desc') {
    throw invalidParameter(`SortOrder must be asc or desc, got ${sortOrder}.`);
  }
  const matching = state
    .all()
    .filter((secret) => includePlannedDeletion || secret.deletionDate === undefined)
    .filter((secret) => matchesFilters(secret, filters));
  if (sortOrder === 'desc') matching.reverse();
  const page = paginate(matching, input);
  return {
    SecretList: page.items.map(listSecretsEntry),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

export interface DeleteSecretHooks {
  /** Called when a secret is removed for good, so rotations in flight for it stop. */
  readonly onForceDeleted?: (secret: SecretRecord) => void;
}

export const deleteSecret = (state: SecretsState, input: WireObject, hooks: DeleteSecretHooks = {}): WireOutput => {
  const secretId = requiredString(input, 'SecretId');
  const recoveryDays = optionalInteger(input, 'RecoveryWindowInDays');
  const force = optionalBoolean(input, 'ForceDeleteWithoutRecovery') ?? false;
  if (recoveryDays !== undefined && force) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (recoveryDays !== undefined && (recoveryDays < 7 || recoveryDays > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  const now = state.now();
  const secret = state.find(secretId);
  if (secret === undefined) {
    // Documented: forcibly deleting an already deleted or nonexistent secret is not ResourceNotFoundException.
    if (!force) state.require(secretId);
    const name = secretId.startsWith(state.arnPrefix) ? secretId.slice(state.arnPrefix.length) : secretId;
    return {
      ARN: secretId.startsWith('arn:') ? secretId : state.newArn(name),
      Name: name,
      DeletionDate: epochSeconds(now),
    };
  }
  if (force) {
    state.remove(secret);
    hooks.onForceDeleted?.(secret);
    return { ...arnAndName(secret), DeletionDate: epochSeconds(now) };
  }
  if (secret.deletionDate !== undefined) {
    throw invalidRequest("You tried to perform the operation on a secret that's currently marked deleted.");
  }
  secret.deletionDate = now + (recoveryDays ?? 30) * DAY_MS;
  secret.lastChangedAt = now;
  return { ...arnAndName(secret), DeletionDate: epochSeconds(secret.deletionDate) };
};

export const restoreSecret = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.require(requiredString(input, 'SecretId'));
  secret.deletionDate = undefined;
  secret.lastChangedAt = state.now();
  return arnAndName(secret);
};

export const tagResource = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const tags = optionalTags(input, 'Tags');
  if (tags === undefined) throw invalidParameter('Tags must be specified.');
  secret.tags = dedupeTags([...secret.tags, ...tags]);
  secret.lastChangedAt = state.now();
  return {};
};

export const untagResource = (state: SecretsState, input: WireObject): WireOutput => {
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const keys = optionalStringList(input, 'TagKeys');
  if (keys === undefined) throw invalidParameter('TagKeys must be specified.');
  secret.tags = secret.tags.filter((tag) => !keys.includes(tag.Key));
  secret.lastChangedAt = state.now();
  return {};
};
