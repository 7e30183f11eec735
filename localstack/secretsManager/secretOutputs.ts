import type { SecretRecord } from './SecretRecord.ts';
import { epochSeconds } from './SecretsState.ts';
import { versionIdsToStages } from './stagingLabels.ts';

type WireOutput = Record<string, unknown>;

/** Adds `key` only when the value is present: Secrets Manager omits fields that have no value. */
const withOptional = (target: WireOutput, key: string, value: unknown): void => {
  if (value !== undefined) target[key] = value;
};

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : epochSeconds(ms));

/**
 * The metadata Secrets Manager returns for a secret: DescribeSecret's body, and (with SecretVersionsToStages instead of
 * VersionIdsToStages) a ListSecrets entry. Never a value. The two differ on LastRotatedDate: DescribeSecret returns
 * null for it when rotation is not configured or turned off ("If the secret isn't configured for rotation or rotation
 * has been disabled, Secrets Manager returns null"), a ListSecrets entry has it once the secret has ever rotated.
 */
const secretMetadata = (secret: SecretRecord, versionsKey: 'VersionIdsToStages' | 'SecretVersionsToStages') => {
  const output: WireOutput = { ARN: secret.arn, Name: secret.name };
  withOptional(output, 'Description', secret.description || undefined);
  withOptional(output, 'KmsKeyId', secret.kmsKeyId);
  if (secret.rotation !== undefined) {
    output.RotationEnabled = secret.rotation.enabled;
    withOptional(output, 'RotationLambdaARN', secret.rotation.lambdaArn || undefined);
    withOptional(output, 'RotationRules', secret.rotation.rules ? { ...secret.rotation.rules } : undefined);
    if (secret.rotation.enabled) withOptional(output, 'NextRotationDate', seconds(secret.nextRotationAt));
  }
  const rotationOn = secret.rotation?.enabled === true;
  if (versionsKey === 'SecretVersionsToStages' || rotationOn) {
    withOptional(output, 'LastRotatedDate', seconds(secret.lastRotatedAt));
  }
  withOptional(output, 'LastChangedDate', seconds(secret.lastChangedAt));
  withOptional(output, 'LastAccessedDate', seconds(secret.lastAccessedAt));
  withOptional(output, 'DeletedDate', seconds(secret.deletionDate));
  withOptional(output, 'Tags', secret.tags.length > 0 ? secret.tags.map((tag) => ({ ...tag })) : undefined);
  withOptional(output, versionsKey, versionIdsToStages(secret));
  output.CreatedDate = epochSeconds(secret.createdAt);
  return output;
};

export const describeSecretOutput = (secret: SecretRecord): WireOutput => secretMetadata(secret, 'VersionIdsToStages');

export const listSecretsEntry = (secret: SecretRecord): WireOutput => secretMetadata(secret, 'SecretVersionsToStages');

export const arnAndName = (secret: SecretRecord): WireOutput => ({ ARN: secret.arn, Name: secret.name });
