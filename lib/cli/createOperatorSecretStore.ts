import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type RotationRulesType,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { storeCall, tagsToRecord, toStoreError } from '../aws/storeCall.ts';

export interface RotationRules {
  readonly automaticallyAfterDays?: number;
  readonly scheduleExpression?: string;
  readonly duration?: string;
}

/** DescribeSecret in our words; times are epoch milliseconds. Never a value. */
export interface SecretMetadata {
  readonly arn: string;
  readonly name: string;
  /** Absent in DescribeSecret on a secret never configured for rotation: false. */
  readonly rotationEnabled: boolean;
  readonly rotationLambdaArn: string | undefined;
  readonly rotationRules: RotationRules | undefined;
  readonly lastRotatedAt: number | undefined;
  readonly nextRotationAt: number | undefined;
  readonly lastChangedAt: number | undefined;
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface VersionEntry {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: number | undefined;
}

export interface SecretValue {
  readonly versionId: string;
  readonly secretString: string | undefined;
}

/** The Secrets Manager calls the operator commands make; each failure is a SecretStoreError naming the call. */
export interface OperatorSecretStore {
  describe(secretId: string): Promise<SecretMetadata>;
  /** Versions that carry a label, with their creation time (ListSecretVersionIds, every page). */
  listVersions(secretId: string): Promise<VersionEntry[]>;
  /** Undefined when the version or label does not exist or has no value yet (RotateSecret's placeholder). */
  getValue(
    secretId: string,
    selector: { readonly versionId?: string; readonly stage?: string },
  ): Promise<SecretValue | undefined>;
  createSecret(input: {
    readonly name: string;
    readonly secretString: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<{ arn: string; name: string; versionId: string }>;
  /** PutSecretValue without VersionStages: the new version becomes AWSCURRENT, the old one AWSPREVIOUS. */
  putCurrentValue(secretId: string, secretString: string): Promise<{ versionId: string }>;
  tag(secretId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  untag(secretId: string, keys: readonly string[]): Promise<void>;
  rotate(input: {
    readonly secretId: string;
    readonly clientRequestToken?: string;
    readonly rotationLambdaArn?: string;
    readonly rules?: RotationRules;
    readonly rotateImmediately: boolean;
  }): Promise<{ versionId: string | undefined }>;
  updateStage(input: {
    readonly secretId: string;
    readonly stage: string;
    readonly moveToVersionId?: string;
    readonly removeFromVersionId?: string;
  }): Promise<void>;
}

const millis = (date: Date | undefined): number | undefined => date?.getTime();

function fromWireRules(rules: RotationRulesType | undefined): RotationRules | undefined {
  if (rules === undefined) return undefined;
  return {
    ...(rules.AutomaticallyAfterDays === undefined ? {} : { automaticallyAfterDays: rules.AutomaticallyAfterDays }),
    ...(rules.ScheduleExpression === undefined ? {} : { scheduleExpression: rules.ScheduleExpression }),
    ...(rules.Duration === undefined ? {} : { duration: rules.Duration }),
  };
}

function toWireRules(rules: RotationRules): RotationRulesType {
  return {
    ...(rules.automaticallyAfterDays === undefined ? {} : { AutomaticallyAfterDays: rules.automaticallyAfterDays }),
    ...(rules.scheduleExpression === undefined ? {} : { ScheduleExpression: rules.scheduleExpression }),
    ...(rules.duration === undefined ? {} : { Duration: rules.duration }),
  };
}

export function createOperatorSecretStore(client: SecretsManagerClient): OperatorSecretStore {
  return {
    async describe(secretId) {
      const out = await storeCall('DescribeSecret', () =>
        client.send(new DescribeSecretCommand({ SecretId: secretId })),
      );
      const tags = tagsToRecord(out.Tags);
      return {
        arn: out.ARN ?? secretId,
        name: out.Name ?? secretId,
        rotationEnabled: out.RotationEnabled === true,
        rotationLambdaArn: out.RotationLambdaARN || undefined,
        rotationRules: fromWireRules(out.RotationRules),
        lastRotatedAt: millis(out.LastRotatedDate),
        nextRotationAt: millis(out.NextRotationDate),
        lastChangedAt: millis(out.LastChangedDate),
        versionIdsToStages: out.VersionIdsToStages ?? {},
        tags,
      };
    },

    async listVersions(secretId) {
      const versions: VersionEntry[] = [];
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const out = await storeCall('ListSecretVersionIds', () =>
          client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: token })),
        );
        for (const version of out.Versions ?? []) {
          if (version.VersionId === undefined) continue;
          versions.push({
            versionId: version.VersionId,
            stages: version.VersionStages ?? [],
            createdAt: millis(version.CreatedDate),
          });
        }
        nextToken = out.NextToken;
      } while (nextToken !== undefined);
      return versions;
    },

    async getValue(secretId, selector) {
      try {
        const out = await client.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            VersionId: selector.versionId,
            VersionStage: selector.stage,
          }),
        );
        if (out.VersionId === undefined) return undefined;
        return { versionId: out.VersionId, secretString: out.SecretString };
      } catch (error) {
        if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
        throw toStoreError('GetSecretValue', error);
      }
    },

    async createSecret(input) {
      const out = await storeCall('CreateSecret', () =>
        client.send(
          new CreateSecretCommand({
            Name: input.name,
            SecretString: input.secretString,
            Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
      return { arn: out.ARN ?? input.name, name: out.Name ?? input.name, versionId: out.VersionId ?? '' };
    },

    async putCurrentValue(secretId, secretString) {
      const out = await storeCall('PutSecretValue', () =>
        client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString })),
      );
      return { versionId: out.VersionId ?? '' };
    },

    async tag(secretId, tags) {
      await storeCall('TagResource', () =>
        client.send(
          new TagResourceCommand({
            SecretId: secretId,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
    },

    async untag(secretId, keys) {
      await storeCall('UntagResource', () =>
        client.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: [...keys] })),
      );
    },

    async rotate(input) {
      const out = await storeCall('RotateSecret', () =>
        client.send(
          new RotateSecretCommand({
            SecretId: input.secretId,
            RotateImmediately: input.rotateImmediately,
            ...(input.clientRequestToken === undefined ? {} : { ClientRequestToken: input.clientRequestToken }),
            ...(input.rotationLambdaArn === undefined ? {} : { RotationLambdaARN: input.rotationLambdaArn }),
            ...(input.rules === undefined ? {} : { RotationRules: toWireRules(input.rules) }),
          }),
        ),
      );
      return { versionId: out.VersionId };
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
  };
}
