import { ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { storeCall, tagsToRecord } from '../../aws/storeCall.ts';
import type { RotationRulesText } from '../../budget/readRotationWindows.ts';
import { TagKey } from '../../constants.ts';

/** A managed secret as `plan` needs it: ListSecrets' entry, never a value. */
export interface ManagedSecret {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  readonly rotationLambdaArn: string | undefined;
  readonly rotationRules: RotationRulesText | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** One page of managed secrets. */
export type ManagedSecretPage = (
  nextToken: string | undefined,
) => Promise<{ readonly secrets: readonly ManagedSecret[]; readonly nextToken: string | undefined }>;

/**
 * ListSecrets of the secrets tagged `clerk-rotator:machine-id`, 100 a page: each entry carries its RotationRules and
 * tags, so no DescribeSecret per secret.
 */
export function listManagedSecrets(client: SecretsManagerClient): ManagedSecretPage {
  return async (nextToken) => {
    const out = await storeCall('ListSecrets', () =>
      client.send(
        new ListSecretsCommand({
          Filters: [{ Key: 'tag-key', Values: [TagKey.machineId] }],
          MaxResults: 100,
          NextToken: nextToken,
        }),
      ),
    );
    return {
      secrets: (out.SecretList ?? []).map((entry) => ({
        arn: entry.ARN ?? entry.Name ?? '',
        name: entry.Name ?? entry.ARN ?? '',
        rotationEnabled: entry.RotationEnabled === true,
        rotationLambdaArn: entry.RotationLambdaARN || undefined,
        rotationRules:
          entry.RotationRules === undefined
            ? undefined
            : {
                scheduleExpression: entry.RotationRules.ScheduleExpression,
                automaticallyAfterDays: entry.RotationRules.AutomaticallyAfterDays,
                duration: entry.RotationRules.Duration,
              },
        tags: tagsToRecord(entry.Tags),
      })),
      nextToken: out.NextToken || undefined,
    };
  };
}
