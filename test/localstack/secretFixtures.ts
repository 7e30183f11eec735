import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** CreateSecret with value 'v1', the given first version id and tags (a record, sent as AWS's Key/Value list). */
export const createTaggedSecret = (
  client: SecretsManagerClient,
  name: string,
  tags: Readonly<Record<string, string>>,
  versionId: string,
) =>
  client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: 'v1',
      ClientRequestToken: versionId,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
