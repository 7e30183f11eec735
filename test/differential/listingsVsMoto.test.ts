/**
 * Differential tests for what the coming work reads: ListSecrets filtered by tag, each entry's Tags and
 * SecretVersionsToStages, ListSecretVersionIds' CreatedDate, TagResource and UntagResource. Rotation fields
 * (RotationEnabled, RotationLambdaARN, LastRotatedDate after a rotation) are not compared: moto rotates only through
 * its Docker Lambda or its Lambda-less path (see secretsManagerVsMoto.test.ts, #12); test/localstack covers them.
 */
import {
  DescribeSecretCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { createTaggedSecret } from '../localstack/secretFixtures.ts';
import { errorName, motoPath, useBothServices, warnWhenMotoMissing } from './motoDifferential.ts';

warnWhenMotoMissing('listingsVsMoto');

const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-00000011571d`;

type TagFilter = { Key: 'tag-key' | 'tag-value'; Values: string[] };

describe.skipIf(motoPath === undefined)('Secrets Manager emulator vs moto_server: tags and listings', () => {
  const { onBoth } = useBothServices({ seed: 77 });

  const create = (client: SecretsManagerClient, name: string, tags: Record<string, string> = {}) =>
    createTaggedSecret(client, name, tags, token(1));
  /** Version 2 becomes AWSCURRENT (version 1 AWSPREVIOUS), version 3 AWSPENDING. */
  const putCurrentAndPending = async (client: SecretsManagerClient, name: string) => {
    for (const [n, stages] of [
      [2, undefined],
      [3, ['AWSPENDING']],
    ] as const) {
      await client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: `v${n}`,
          ClientRequestToken: token(n),
          VersionStages: stages && [...stages],
        }),
      );
    }
  };
  /** Names (relative to `prefix`) of the secrets under `prefix` that the tag filters select. */
  const select = async (client: SecretsManagerClient, prefix: string, filters: TagFilter[]) =>
    (
      await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [`${prefix}/`] }, ...filters] }))
    ).SecretList?.map((entry) => entry.Name?.slice(prefix.length + 1)).sort();

  it('ListSecrets tag filters: prefix and case-sensitive, values OR, keys AND (each may match another tag)', async () => {
    const result = await onBoth(async (client, prefix) => {
      await create(client, `${prefix}/a`, { 'clerk-rotator:machine-id': 'mch_a', team: 'payments' });
      await create(client, `${prefix}/b`, { 'clerk-rotator:machine-id': 'mch_b' });
      await create(client, `${prefix}/c`, { role: 'payments' });
      return {
        keyPrefix: await select(client, prefix, [{ Key: 'tag-key', Values: ['clerk-rotator:'] }]),
        keyOtherCase: await select(client, prefix, [{ Key: 'tag-key', Values: ['Clerk-rotator:'] }]),
        valueExact: await select(client, prefix, [{ Key: 'tag-value', Values: ['mch_b'] }]),
        valuesOr: await select(client, prefix, [{ Key: 'tag-value', Values: ['mch_b', 'pay'] }]),
        keyAndValue: await select(client, prefix, [
          { Key: 'tag-key', Values: ['clerk-rotator:machine-id'] },
          { Key: 'tag-value', Values: ['payments'] },
        ]),
      };
    });

    expect(result.ours).toEqual({
      keyPrefix: ['a', 'b'],
      keyOtherCase: [],
      valueExact: ['b'],
      valuesOr: ['a', 'b', 'c'],
      keyAndValue: ['a'],
    });
    expect(result.moto).toEqual(result.ours);
  });

  it('ListSecrets entries carry Tags and SecretVersionsToStages, and no rotation fields before rotation', async () => {
    const result = await onBoth(async (client, name) => {
      await create(client, name, { env: 'test', owner: 'platform' });
      await putCurrentAndPending(client, name);
      const listed = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
      const entry = listed.SecretList?.find((e) => e.Name === name);
      return {
        tags: entry?.Tags,
        stages: entry?.SecretVersionsToStages,
        rotationEnabled: entry?.RotationEnabled,
        lastRotatedDate: entry?.LastRotatedDate,
        createdDate: entry?.CreatedDate instanceof Date,
      };
    });

    expect(result.ours).toEqual({
      tags: [
        { Key: 'env', Value: 'test' },
        { Key: 'owner', Value: 'platform' },
      ],
      stages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
      rotationEnabled: undefined,
      lastRotatedDate: undefined,
      createdDate: true,
    });
    expect(result.moto).toEqual(result.ours);
  });

  it('ListSecretVersionIds gives every version a CreatedDate, in the order the versions were made', async () => {
    const result = await onBoth(async (client, name) => {
      const started = Date.now();
      await create(client, name);
      await putCurrentAndPending(client, name);
      const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
      const byId = new Map((listed.Versions ?? []).map((v) => [v.VersionId, v.CreatedDate?.getTime()]));
      const dates = [token(1), token(2), token(3)].map((id) => byId.get(id));
      return {
        versions: [...byId.keys()].sort(),
        everyVersionDated: dates.every((date) => typeof date === 'number'),
        inCreationOrder: dates.every((date, i) => i === 0 || (date ?? 0) >= (dates[i - 1] ?? 0)),
        // Whole seconds on the wire: a version made during the scenario is dated no earlier than a second before it.
        notBeforeTheScenario: dates.every((date) => (date ?? 0) >= Math.floor(started / 1000) * 1000 - 1000),
      };
    });

    expect(result.ours).toEqual({
      versions: [token(1), token(2), token(3)],
      everyVersionDated: true,
      inCreationOrder: true,
      notBeforeTheScenario: true,
    });
    expect(result.moto).toEqual(result.ours);
  });

  it('TagResource overwrites by key, UntagResource ignores keys the secret lacks, a missing secret is not found', async () => {
    const result = await onBoth(async (client, name) => {
      await create(client, name, { a: '1', b: '2' });
      await client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'b', Value: '3' }] }));
      await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a', 'never-set'] }));
      return {
        tags: (await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags,
        tagMissing: await errorName(
          client.send(new TagResourceCommand({ SecretId: `${name}/missing`, Tags: [{ Key: 'k', Value: 'v' }] })),
        ),
        untagMissing: await errorName(
          client.send(new UntagResourceCommand({ SecretId: `${name}/missing`, TagKeys: ['k'] })),
        ),
      };
    });

    expect(result.ours).toEqual({
      tags: [{ Key: 'b', Value: '3' }],
      tagMissing: 'ResourceNotFoundException',
      untagMissing: 'ResourceNotFoundException',
    });
    expect(result.moto).toEqual(result.ours);
  });

  it('moto differs: ListSecrets takes filter values outside the Filter shape (AWS: ValidationException for more than 10 values or characters outside the pattern)', async () => {
    const result = await onBoth(async (client) => ({
      elevenValues: await errorName(
        client.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'tag-key', Values: Array.from({ length: 11 }, (_, i) => `k${i}`) }],
          }),
        ),
      ),
      wildcard: await errorName(
        client.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['mch_*'] }] })),
      ),
    }));

    expect(result.ours).toEqual({ elevenValues: 'ValidationException', wildcard: 'ValidationException' });
    expect(result.moto).toEqual({ elevenValues: 'no error', wildcard: 'no error' });
  });
});
