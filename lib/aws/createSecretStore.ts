import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Stage } from '../constants.ts';
import type { SecretStore } from '../core/SecretStore.ts';
import { SecretStoreError } from '../errors.ts';

function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function toStoreError(operation: string, error: unknown): SecretStoreError {
  const name = awsErrorName(error);
  // SDK messages name resources and rules, never secret values.
  const message = error instanceof Error ? error.message : String(error);
  return new SecretStoreError(operation, name, `${name ?? 'Error'}: ${message}`, { cause: error });
}

async function wrap<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** The SecretStore port over an injected SecretsManagerClient. */
export function createSecretStore(client: SecretsManagerClient): SecretStore {
  return {
    async describeSecret(secretId) {
      const out = await wrap('DescribeSecret', () => client.send(new DescribeSecretCommand({ SecretId: secretId })));
      const tags: Record<string, string> = {};
      for (const tag of out.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      return {
        arn: out.ARN ?? secretId,
        name: out.Name ?? secretId,
        rotationEnabled: out.RotationEnabled === true,
        rotationLambdaArn: out.RotationLambdaARN,
        versionIdsToStages: out.VersionIdsToStages ?? {},
        tags,
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
      await wrap('PutSecretValue', () =>
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
      await wrap('UpdateSecretVersionStage', () =>
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
  };
}
