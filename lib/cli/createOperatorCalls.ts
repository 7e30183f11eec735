import {
  CreateSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type RotationRulesType,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { storeCall } from '../aws/storeCall.ts';
import type { RotationRules } from '../core/SecretStore.ts';

/**
 * The Secrets Manager calls only an operator makes, beside the SecretStore port (lib/aws/createSecretStore.ts, which
 * the CLI uses for everything else): onboarding a machine writes a secret and configures its rotation. Each failure
 * is a SecretStoreError naming the call.
 */
export interface OperatorCalls {
  createSecret(input: {
    readonly name: string;
    readonly secretString: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<{ arn: string; name: string; versionId: string }>;
  /** PutSecretValue without VersionStages: the new version becomes AWSCURRENT, the old one AWSPREVIOUS. */
  putCurrentValue(secretId: string, secretString: string): Promise<{ versionId: string }>;
  /** RotateSecret with a function and a schedule, RotateImmediately=false: Secrets Manager runs testSecret once. */
  configureRotation(input: {
    readonly secretId: string;
    readonly rotationLambdaArn: string;
    readonly rules: RotationRules;
  }): Promise<void>;
}

function toWireRules(rules: RotationRules): RotationRulesType {
  return {
    ...(rules.automaticallyAfterDays === undefined ? {} : { AutomaticallyAfterDays: rules.automaticallyAfterDays }),
    ...(rules.scheduleExpression === undefined ? {} : { ScheduleExpression: rules.scheduleExpression }),
    ...(rules.duration === undefined ? {} : { Duration: rules.duration }),
  };
}

const toTagList = (tags: Readonly<Record<string, string>>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function createOperatorCalls(client: SecretsManagerClient): OperatorCalls {
  return {
    async createSecret(input) {
      const out = await storeCall('CreateSecret', () =>
        client.send(
          new CreateSecretCommand({ Name: input.name, SecretString: input.secretString, Tags: toTagList(input.tags) }),
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

    async configureRotation(input) {
      await storeCall('RotateSecret', () =>
        client.send(
          new RotateSecretCommand({
            SecretId: input.secretId,
            RotationLambdaARN: input.rotationLambdaArn,
            RotationRules: toWireRules(input.rules),
            RotateImmediately: false,
          }),
        ),
      );
    },
  };
}
