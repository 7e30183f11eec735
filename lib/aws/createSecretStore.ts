import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Stage } from '../constants.ts';
import type { SecretStore } from '../core/SecretStore.ts';
import { storeCall, tagsToRecord, toStoreError } from './storeCall.ts';

function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** The SecretStore port over an injected SecretsManagerClient. */
export function createSecretStore(client: SecretsManagerClient): SecretStore {
  return {
    async describeSecret(secretId) {
      const out = await storeCall('DescribeSecret', () =>
        client.send(new DescribeSecretCommand({ SecretId: secretId })),
      );
      const tags = tagsToRecord(out.Tags);
      return {
        arn: out.ARN ?? secretId,
        name: out.Name ?? secretId,
        rotationEnabled: out.RotationEnabled === true,
        rotationLambdaArn: out.RotationLambdaARN,
        versionIdsToStages: out.VersionIdsToStages ?? {},
        tags,
        lastRotatedDate: out.LastRotatedDate?.getTime(),
      };
    },

    async getSecretVersion(secretId, selector) {
      try {
        const out = await client.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            VersionId: selector.versionId,
            VersionStage: selector.stage,
          }),
        );
        if (out.VersionId === undefined) return undefined;
        return { versionId: out.VersionId, secretString: out.SecretString, stages: out.VersionStages ?? [] };
      } catch (error) {
        if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
        throw toStoreError('GetSecretValue', error);
      }
    },

    async putPendingValue(input) {
      await storeCall('PutSecretValue', () =>
        client.send(
          new PutSecretValueCommand({
            SecretId: input.secretId,
            ClientRequestToken: input.versionId,
            SecretString: input.secretString,
            VersionStages: [Stage.pending],
            RotationToken: input.rotationToken,
          }),
        ),
      );
    },

    async updateStage(input) {
      await storeCall('UpdateSecretVersionStage', () =>
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: input.secretId,
            VersionStage: input.stage,
            MoveToVersionId: input.moveToVersionId,
            RemoveFromVersionId: input.removeFromVersionId,
          }),
        ),
      );
    },

    async tagSecret(secretId, tags) {
      const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      await storeCall('TagResource', () => client.send(new TagResourceCommand({ SecretId: secretId, Tags })));
    },

    async untagSecret(secretId, keys) {
      if (keys.length === 0) return;
      await storeCall('UntagResource', () =>
        client.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: [...keys] })),
      );
    },

    async startRotation(secretId) {
      const out = await storeCall('RotateSecret', () => client.send(new RotateSecretCommand({ SecretId: secretId })));
      return out.VersionId;
    },
  };
}
