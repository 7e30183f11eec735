import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_SECRET_VALUE_BYTES,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../localstack/secretsManager/index.ts';

const DAY_MS = 86_400_000;
const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;

/** The error an SDK call rejected with (name, status, message), or a failure when it resolved. */
const awsError = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
};

class ManualClock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
}

describe('Function: startSecretsManagerEmulator', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 10, 30));
  let sm: SecretsManagerEmulator;
  let client: SecretsManagerClient;
  let counter = 0;
  const uniqueName = () => `app/secret-${++counter}`;

  beforeAll(async () => {
    sm = await startSecretsManagerEmulator({ clock, seed: 42 });
    client = sm.createClient({ maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await sm.close();
  });

  beforeEach(() => {
    clock.ms = Date.UTC(2026, 0, 15, 10, 30);
  });

  afterEach(() => {
    sm.faults.clear();
  });

  const create = (name: string, value = 'v1', tok = token(1)) =>
    client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: tok }));
  const stagesOf = async (secretId: string) =>
    (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages;

  describe('protocol', () => {
    it('listens on 127.0.0.1 and reports its endpoint and port', () => {
      expect(sm.endpoint).toBe(`http://127.0.0.1:${sm.port}`);
      expect(sm.port).toBeGreaterThan(0);
    });

    it('rejects a request without an Authorization header', async () => {
      // Act
      const response = await fetch(sm.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' },
        body: '{}',
      });

      // Assess
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    });

    it('answers an unknown operation with UnknownOperationException and an error-type header', async () => {
      const response = await fetch(sm.endpoint, {
        method: 'POST',
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/secretsmanager/aws4_request',
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'secretsmanager.GetRandomPassword',
        },
        body: '{}',
      });

      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
      expect(sm.audit.count({ operation: 'GetRandomPassword', errorCode: 'UnknownOperationException' })).toBe(1);
    });

    it('answers malformed JSON with SerializationException', async () => {
      const response = await fetch(sm.endpoint, {
        method: 'POST',
        headers: { authorization: 'AWS4-HMAC-SHA256 x', 'x-amz-target': 'secretsmanager.ListSecrets' },
        body: '{not json',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
    });

    it('surfaces error codes as error.name with the HTTP status through the SDK', async () => {
      expect(await awsError(client.send(new GetSecretValueCommand({ SecretId: 'does/not/exist' })))).toEqual({
        name: 'ResourceNotFoundException',
        status: 400,
        message: "Secrets Manager can't find the specified secret.",
      });
    });

    it('returns dates as epoch seconds, which the SDK turns into Dates from the injected clock', async () => {
      const name = uniqueName();
      await create(name);

      const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

      expect(described.CreatedDate).toEqual(new Date(clock.ms));
      expect(described.LastChangedDate).toEqual(new Date(clock.ms));
    });
  });

  describe('CreateSecret', () => {
    it('creates a secret whose ARN ends with a hyphen and six random characters and whose first version is AWSCURRENT', async () => {
      const name = uniqueName();

      const created = await create(name, 'v1', token(1));

      expect(created.ARN).toMatch(
        new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
      );
      expect(created).toMatchObject({ Name: name, VersionId: token(1) });
      expect(await stagesOf(name)).toEqual({ [token(1)]: ['AWSCURRENT'] });
    });

    it('treats the same token and value as a repeat and the same token with another value as ResourceExistsException', async () => {
      const name = uniqueName();
      const first = await create(name, 'v1', token(1));

      const repeat = await create(name, 'v1', token(1));
      const conflict = await awsError(create(name, 'other', token(1)));
      const otherToken = await awsError(create(name, 'v1', token(2)));

      expect(repeat).toMatchObject({ ARN: first.ARN, VersionId: token(1) });
      expect(conflict.name).toBe('ResourceExistsException');
      expect(otherToken.name).toBe('ResourceExistsException');
    });

    it('creates a secret without a value with no version at all', async () => {
      const name = uniqueName();

      const created = await client.send(new CreateSecretCommand({ Name: name, ClientRequestToken: token(5) }));
      const again = await client.send(new CreateSecretCommand({ Name: name, ClientRequestToken: token(5) }));

      expect(created.VersionId).toBeUndefined();
      expect(again.ARN).toBe(created.ARN);
      expect(await stagesOf(name)).toBeUndefined();
      expect((await awsError(client.send(new GetSecretValueCommand({ SecretId: name })))).name).toBe(
        'ResourceNotFoundException',
      );
    });

    it('rejects tokens outside 32–64 characters, both value kinds at once, and invalid names', async () => {
      expect((await awsError(create(uniqueName(), 'v', 'too-short'))).name).toBe('InvalidParameterException');
      expect(
        (
          await awsError(
            client.send(
              new CreateSecretCommand({ Name: uniqueName(), SecretString: 'a', SecretBinary: new Uint8Array([1]) }),
            ),
          )
        ).name,
      ).toBe('InvalidParameterException');
      expect((await awsError(create('bad name!'))).name).toBe('InvalidParameterException');
    });

    it('accepts exactly 65,536 bytes and rejects one byte more', async () => {
      const name = uniqueName();
      await create(name, 'x'.repeat(MAX_SECRET_VALUE_BYTES));

      const tooBig = await awsError(
        client.send(
          new PutSecretValueCommand({ SecretId: name, SecretString: 'é'.repeat(MAX_SECRET_VALUE_BYTES / 2 + 1) }),
        ),
      );

      expect(tooBig.name).toBe('ValidationException');
      expect(tooBig.message).not.toContain('é');
    });

    it('stores binary secrets and returns them as bytes', async () => {
      const name = uniqueName();
      await client.send(new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 254, 255]) }));

      const value = await client.send(new GetSecretValueCommand({ SecretId: name }));

      expect(value.SecretString).toBeUndefined();
      expect([...(value.SecretBinary ?? [])]).toEqual([0, 1, 254, 255]);
    });
  });

  describe('PutSecretValue', () => {
    it('makes a new version AWSCURRENT and the old one AWSPREVIOUS when VersionStages is omitted', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));

      const put = await client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token(2) }),
      );

      expect(put).toMatchObject({ VersionId: token(2), VersionStages: ['AWSCURRENT'] });
      expect(await stagesOf(name)).toEqual({ [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] });
    });

    it('gives a version only the labels asked for, moving them from other versions', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));
      await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v2',
          ClientRequestToken: token(2),
          VersionStages: ['AWSPENDING'],
        }),
      );

      await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v3',
          ClientRequestToken: token(3),
          VersionStages: ['AWSPENDING', 'mine'],
        }),
      );

      expect(await stagesOf(name)).toEqual({ [token(1)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING', 'mine'] });
      const deprecated = await client.send(
        new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
      );
      expect(deprecated.Versions?.map((v) => [v.VersionId, v.VersionStages])).toContainEqual([token(2), []]);
    });

    it('is idempotent per ClientRequestToken: same value is a no-op, a different value is ResourceExistsException', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));
      await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v2',
          ClientRequestToken: token(2),
          VersionStages: ['AWSPENDING'],
        }),
      );

      const repeat = await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v2',
          ClientRequestToken: token(2),
          VersionStages: ['AWSPENDING'],
        }),
      );
      const conflict = await awsError(
        client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretString: 'changed',
            ClientRequestToken: token(2),
            VersionStages: ['AWSPENDING'],
          }),
        ),
      );

      expect(repeat).toMatchObject({ VersionId: token(2), VersionStages: ['AWSPENDING'] });
      expect(conflict.name).toBe('ResourceExistsException');
      const pending = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }));
      expect(pending.SecretString).toBe('v2');
    });

    it('gives the first version of an empty secret AWSCURRENT whatever labels were asked for', async () => {
      const name = uniqueName();
      await client.send(new CreateSecretCommand({ Name: name }));

      const put = await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'a',
          ClientRequestToken: token(1),
          VersionStages: ['AWSPENDING'],
        }),
      );

      expect(put.VersionStages).toEqual(['AWSPENDING', 'AWSCURRENT']);
    });

    it('accepts a RotationToken and requires a value', async () => {
      const name = uniqueName();
      await create(name);

      await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v2',
          RotationToken: 'c2f1e0a4-0000-4000-8000-000000000000',
        }),
      );
      const missing = await awsError(client.send(new PutSecretValueCommand({ SecretId: name })));

      expect(missing.name).toBe('InvalidRequestException');
    });
  });

  describe('UpdateSecretVersionStage', () => {
    const threeVersions = async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));
      await client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token(2) }),
      );
      await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v3',
          ClientRequestToken: token(3),
          VersionStages: ['AWSPENDING'],
        }),
      );
      return name;
    };

    it('moves AWSCURRENT with RemoveFromVersionId and puts AWSPREVIOUS on the version that had it', async () => {
      const name = await threeVersions();

      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token(3),
          RemoveFromVersionId: token(2),
        }),
      );

      expect(await stagesOf(name)).toEqual({ [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSPENDING', 'AWSCURRENT'] });
    });

    it('refuses to move a label another version has unless RemoveFromVersionId names that version', async () => {
      const name = await threeVersions();

      const missing = await awsError(
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSPENDING',
            MoveToVersionId: token(1),
          }),
        ),
      );
      const wrong = await awsError(
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: token(3),
            RemoveFromVersionId: token(1),
          }),
        ),
      );

      expect(missing.name).toBe('InvalidParameterException');
      expect(missing.message).toContain(token(3));
      expect(wrong.name).toBe('InvalidParameterException');
      expect(await stagesOf(name)).toEqual({
        [token(1)]: ['AWSPREVIOUS'],
        [token(2)]: ['AWSCURRENT'],
        [token(3)]: ['AWSPENDING'],
      });
    });

    it('removes a label when MoveToVersionId is omitted, and requires RemoveFromVersionId for that', async () => {
      const name = await threeVersions();

      const withoutRemoveFrom = await awsError(
        client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
      );
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: token(3),
        }),
      );

      expect(withoutRemoveFrom.name).toBe('InvalidParameterException');
      expect(await stagesOf(name)).toEqual({ [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] });
    });

    it('attaches a label nobody has without RemoveFromVersionId, and moving it onto its holder is a no-op', async () => {
      const name = await threeVersions();

      await client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: token(1) }),
      );
      await client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: token(2) }),
      );

      expect((await stagesOf(name))?.[token(1)]).toEqual(['AWSPREVIOUS', 'blue']);
      expect((await stagesOf(name))?.[token(2)]).toEqual(['AWSCURRENT']);
    });

    it('refuses to remove AWSCURRENT without moving it, and unknown versions', async () => {
      const name = await threeVersions();

      const removeCurrent = await awsError(
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSCURRENT',
            RemoveFromVersionId: token(2),
          }),
        ),
      );
      const unknown = await awsError(
        client.send(
          new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'x', MoveToVersionId: token(9) }),
        ),
      );

      expect(removeCurrent.name).toBe('InvalidParameterException');
      expect(unknown.name).toBe('InvalidParameterException');
    });
  });

  describe('GetSecretValue', () => {
    it('reads AWSCURRENT by default, and by VersionId, VersionStage or both when they agree', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));
      await client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token(2) }),
      );

      const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
      const byId = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: token(1) }));
      const byStage = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));
      const both = await client.send(
        new GetSecretValueCommand({ SecretId: current.ARN, VersionId: token(2), VersionStage: 'AWSCURRENT' }),
      );

      expect(current).toMatchObject({ SecretString: 'v2', VersionId: token(2), VersionStages: ['AWSCURRENT'] });
      expect(byId).toMatchObject({ SecretString: 'v1', VersionStages: ['AWSPREVIOUS'] });
      expect(byStage.VersionId).toBe(token(1));
      expect(both.SecretString).toBe('v2');
    });

    it('fails when VersionId and VersionStage disagree or name nothing', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));

      const mismatch = await awsError(
        client.send(new GetSecretValueCommand({ SecretId: name, VersionId: token(1), VersionStage: 'AWSPREVIOUS' })),
      );
      const noVersion = await awsError(client.send(new GetSecretValueCommand({ SecretId: name, VersionId: token(7) })));
      const noStage = await awsError(
        client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
      );

      expect(mismatch.name).toBe('InvalidRequestException');
      expect(noVersion.name).toBe('ResourceNotFoundException');
      expect(noStage.name).toBe('ResourceNotFoundException');
    });

    it('finds a secret by name, full ARN and partial ARN', async () => {
      const name = uniqueName();
      const { ARN } = await create(name);
      const partial = ARN?.slice(0, -7);

      for (const secretId of [name, ARN, partial]) {
        expect((await client.send(new GetSecretValueCommand({ SecretId: secretId }))).Name).toBe(name);
      }
    });

    it('records LastAccessedDate to the day', async () => {
      const name = uniqueName();
      await create(name);

      await client.send(new GetSecretValueCommand({ SecretId: name }));

      const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.LastAccessedDate).toEqual(new Date(Date.UTC(2026, 0, 15)));
    });
  });

  describe('DescribeSecret', () => {
    it('returns only fields that have a value: no RotationEnabled before rotation is configured', async () => {
      const name = uniqueName();
      await create(name);

      const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

      const { $metadata: _, ...fields } = described;
      expect(Object.keys(fields).sort()).toEqual([
        'ARN',
        'CreatedDate',
        'LastChangedDate',
        'Name',
        'VersionIdsToStages',
      ]);
    });

    it('returns Description, KmsKeyId and Tags when set', async () => {
      const name = uniqueName();
      await client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: 'v',
          Description: 'machine key',
          KmsKeyId: 'alias/mine',
          Tags: [{ Key: 'team', Value: 'platform' }],
        }),
      );

      expect(await client.send(new DescribeSecretCommand({ SecretId: name }))).toMatchObject({
        Description: 'machine key',
        KmsKeyId: 'alias/mine',
        Tags: [{ Key: 'team', Value: 'platform' }],
      });
    });
  });

  describe('UpdateSecret', () => {
    it('updates the description and adds an AWSCURRENT version when given a value', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));

      const updated = await client.send(
        new UpdateSecretCommand({
          SecretId: name,
          SecretString: 'v2',
          ClientRequestToken: token(2),
          Description: 'new',
        }),
      );

      expect(updated.VersionId).toBe(token(2));
      expect(await client.send(new DescribeSecretCommand({ SecretId: name }))).toMatchObject({
        Description: 'new',
        VersionIdsToStages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] },
      });
    });
  });

  describe('TagResource and UntagResource', () => {
    it('merges tags by key and removes them; Tags disappears when none are left', async () => {
      const name = uniqueName();
      await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }] }));

      await client.send(
        new TagResourceCommand({
          SecretId: name,
          Tags: [
            { Key: 'a', Value: '2' },
            { Key: 'b', Value: '3' },
          ],
        }),
      );
      const tagged = await client.send(new DescribeSecretCommand({ SecretId: name }));
      await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a', 'b'] }));
      const untagged = await client.send(new DescribeSecretCommand({ SecretId: name }));

      expect(tagged.Tags).toEqual([
        { Key: 'a', Value: '2' },
        { Key: 'b', Value: '3' },
      ]);
      expect(untagged.Tags).toBeUndefined();
    });
  });

  describe('DeleteSecret and RestoreSecret', () => {
    it('schedules deletion (default 30 days); reads and writes are then InvalidRequestException, DescribeSecret still works', async () => {
      const name = uniqueName();
      await create(name);

      const deleted = await client.send(new DeleteSecretCommand({ SecretId: name }));
      const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
      const calls = [
        client.send(new GetSecretValueCommand({ SecretId: name })),
        client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'x' })),
        client.send(
          new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'x', MoveToVersionId: token(1) }),
        ),
        client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] })),
        client.send(new DeleteSecretCommand({ SecretId: name })),
        create(name),
      ];

      expect(deleted.DeletionDate).toEqual(new Date(clock.ms + 30 * DAY_MS));
      expect(described.DeletedDate).toEqual(deleted.DeletionDate);
      for (const call of calls) expect((await awsError(call)).name).toBe('InvalidRequestException');
    });

    it('restores a secret scheduled for deletion', async () => {
      const name = uniqueName();
      await create(name, 'v1');
      await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));

      await client.send(new RestoreSecretCommand({ SecretId: name }));

      expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v1');
      expect((await client.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeUndefined();
    });

    it('deletes for good once the recovery window has passed on the injected clock', async () => {
      const name = uniqueName();
      await create(name);
      await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));

      clock.ms += 7 * DAY_MS;

      expect((await awsError(client.send(new DescribeSecretCommand({ SecretId: name })))).name).toBe(
        'ResourceNotFoundException',
      );
      await create(name);
    });

    it('force-deletes at once, and force-deleting a missing secret is not an error', async () => {
      const name = uniqueName();
      await create(name);

      await client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
      const missing = await client.send(
        new DeleteSecretCommand({ SecretId: 'never/was', ForceDeleteWithoutRecovery: true }),
      );

      expect((await awsError(client.send(new DescribeSecretCommand({ SecretId: name })))).name).toBe(
        'ResourceNotFoundException',
      );
      expect(missing.Name).toBe('never/was');
    });

    it('validates the recovery window', async () => {
      const name = uniqueName();
      await create(name);

      for (const input of [
        { RecoveryWindowInDays: 6 },
        { RecoveryWindowInDays: 31 },
        { RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true },
      ]) {
        expect((await awsError(client.send(new DeleteSecretCommand({ SecretId: name, ...input })))).name).toBe(
          'InvalidParameterException',
        );
      }
    });
  });

  describe('ListSecretVersionIds and ListSecrets', () => {
    it('lists labelled versions, deprecated ones only with IncludeDeprecated, and pages', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));
      for (const n of [2, 3, 4]) {
        await client.send(
          new PutSecretValueCommand({ SecretId: name, SecretString: `v${n}`, ClientRequestToken: token(n) }),
        );
      }

      const labelled = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
      const firstPage = await client.send(
        new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 3 }),
      );
      const secondPage = await client.send(
        new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, NextToken: firstPage.NextToken }),
      );

      expect(labelled.Versions?.map((v) => v.VersionId)).toEqual([token(3), token(4)]);
      expect(labelled.ARN).toMatch(/^arn:aws:secretsmanager:/);
      expect(firstPage.Versions?.map((v) => v.VersionId)).toEqual([token(1), token(2), token(3)]);
      expect(secondPage.Versions?.map((v) => v.VersionId)).toEqual([token(4)]);
      expect(secondPage.NextToken).toBeUndefined();
    });

    it('filters ListSecrets by name prefix and tag, hiding scheduled deletions unless asked', async () => {
      const prefix = `list-${++counter}`;
      await client.send(
        new CreateSecretCommand({ Name: `${prefix}/a`, SecretString: 'v', Tags: [{ Key: 'role', Value: 'm' }] }),
      );
      await client.send(new CreateSecretCommand({ Name: `${prefix}/b`, SecretString: 'v' }));
      await client.send(new DeleteSecretCommand({ SecretId: `${prefix}/b` }));

      const byName = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }] }));
      const withDeleted = await client.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], IncludePlannedDeletion: true }),
      );
      const byTag = await client.send(
        new ListSecretsCommand({
          Filters: [
            { Key: 'name', Values: [prefix] },
            { Key: 'tag-key', Values: ['role'] },
          ],
        }),
      );

      expect(byName.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/a`]);
      expect(withDeleted.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/a`, `${prefix}/b`]);
      expect(byTag.SecretList?.[0]?.SecretVersionsToStages).toBeDefined();
      expect(byTag.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/a`]);
    });
  });

  describe('audit log', () => {
    it('records operation, SecretId and outcome of every call, and never the secret value', async () => {
      const name = uniqueName();
      sm.audit.clear();
      await create(name, 'super-secret-value');
      await client.send(new GetSecretValueCommand({ SecretId: name }));
      await awsError(client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })));

      expect(sm.audit.countsByOperation()).toEqual({ CreateSecret: 1, GetSecretValue: 2 });
      expect(sm.audit.count({ operation: 'GetSecretValue', outcome: 'error' })).toBe(1);
      expect(sm.audit.entries({ errorCode: 'ResourceNotFoundException' })[0]).toMatchObject({
        operation: 'GetSecretValue',
        secretId: name,
        versionStage: 'AWSPENDING',
        status: 400,
      });
      expect(JSON.stringify(sm.audit.entries())).not.toContain('super-secret-value');
    });
  });

  describe('inspectSecret', () => {
    it('shows versions and labels without values', async () => {
      const name = uniqueName();
      await create(name, 'v1', token(1));

      const snapshot = sm.inspectSecret(name);

      expect(snapshot?.versions).toEqual([
        { versionId: token(1), stages: ['AWSCURRENT'], hasValue: true, createdAt: clock.ms },
      ]);
      expect(JSON.stringify(snapshot)).not.toContain('v1"');
      expect(sm.inspectSecret('missing')).toBeUndefined();
    });
  });
});
