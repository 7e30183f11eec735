import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type RotationRulesType,
  type SecretListEntry,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Stage } from '../constants.ts';
import type {
  RotationRules,
  SecretDescription,
  SecretStore,
  SecretVersion,
  VersionSelector,
} from '../core/SecretStore.ts';
import { AwsErrorKind, classifyAwsError } from './classifyAwsError.ts';
import { storeCall, tagsToRecord, toStoreError } from './storeCall.ts';

function fromWireRules(rules: RotationRulesType | undefined): RotationRules | undefined {
  if (rules === undefined) return undefined;
  return {
    ...(rules.AutomaticallyAfterDays === undefined ? {} : { automaticallyAfterDays: rules.AutomaticallyAfterDays }),
    ...(rules.ScheduleExpression === undefined ? {} : { scheduleExpression: rules.ScheduleExpression }),
    ...(rules.Duration === undefined ? {} : { duration: rules.Duration }),
  };
}

/** DescribeSecret's and ListSecrets' fields, in our words; absent RotationEnabled means false. */
function toDescription(out: DescribeSecretCommandOutput | SecretListEntry, secretId: string): SecretDescription {
  const stages = 'VersionIdsToStages' in out ? out.VersionIdsToStages : (out as SecretListEntry).SecretVersionsToStages;
  return {
    arn: out.ARN ?? secretId,
    name: out.Name ?? secretId,
    rotationEnabled: out.RotationEnabled === true,
    // Some emulators answer "" for an unset function; only a real ARN counts.
    rotationLambdaArn: out.RotationLambdaARN || undefined,
    versionIdsToStages: stages ?? {},
    tags: tagsToRecord(out.Tags),
    lastRotatedDate: out.LastRotatedDate?.getTime(),
    rotationRules: fromWireRules(out.RotationRules),
    nextRotationDate: out.NextRotationDate?.getTime(),
    lastChangedDate: out.LastChangedDate?.getTime(),
  };
}

/** ListSecrets asks for at most this many secrets per page (its maximum). */
const LIST_PAGE_SIZE = 100;

async function getSecretVersion(
  client: SecretsManagerClient,
  secretId: string,
  selector: VersionSelector,
): Promise<SecretVersion | undefined> {
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionId: selector.versionId, VersionStage: selector.stage }),
    );
    if (out.VersionId === undefined) return undefined;
    return { versionId: out.VersionId, secretString: out.SecretString, stages: out.VersionStages ?? [] };
  } catch (error) {
    if (classifyAwsError(error).kind === AwsErrorKind.notFound) return undefined;
    throw toStoreError('GetSecretValue', error);
  }
}

async function listSecretsWithTag(client: SecretsManagerClient, tagKey: string, nextToken: string | undefined) {
  const out = await storeCall('ListSecrets', () =>
    client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'tag-key', Values: [tagKey] }],
        MaxResults: LIST_PAGE_SIZE,
        NextToken: nextToken,
      }),
    ),
  );
  return {
    secrets: (out.SecretList ?? []).map((entry) => toDescription(entry, entry.ARN ?? entry.Name ?? '')),
    nextToken: out.NextToken || undefined,
  };
}

async function versionCreationDates(client: SecretsManagerClient, secretId: string) {
  const dates: Record<string, number> = {};
  let token: string | undefined;
  do {
    const out = await storeCall('ListSecretVersionIds', () =>
      client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: token, MaxResults: 100 })),
    );
    for (const version of out.Versions ?? []) {
      if (version.VersionId !== undefined && version.CreatedDate !== undefined) {
        dates[version.VersionId] = version.CreatedDate.getTime();
      }
    }
    token = out.NextToken || undefined;
  } while (token !== undefined);
  return dates;
}

/** The SecretStore port over an injected SecretsManagerClient: one line per operation, the mapping above. */
export function createSecretStore(client: SecretsManagerClient): SecretStore {
  return {
    describeSecret: async (secretId) =>
      toDescription(
        await storeCall('DescribeSecret', () => client.send(new DescribeSecretCommand({ SecretId: secretId }))),
        secretId,
      ),
    getSecretVersion: (secretId, selector) => getSecretVersion(client, secretId, selector),
    putPendingValue: async (input) => {
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
    updateStage: async (input) => {
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
    tagSecret: async (secretId, tags) => {
      const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      await storeCall('TagResource', () => client.send(new TagResourceCommand({ SecretId: secretId, Tags })));
    },
    untagSecret: async (secretId, keys) => {
      if (keys.length === 0) return;
      await storeCall('UntagResource', () =>
        client.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: [...keys] })),
      );
    },
    startRotation: async (secretId) =>
      (await storeCall('RotateSecret', () => client.send(new RotateSecretCommand({ SecretId: secretId })))).VersionId,
    listSecretsWithTag: (tagKey, nextToken) => listSecretsWithTag(client, tagKey, nextToken),
    versionCreationDates: (secretId) => versionCreationDates(client, secretId),
  };
}
