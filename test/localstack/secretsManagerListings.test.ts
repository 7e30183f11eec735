import {
  CancelRotateSecretCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ManualClock,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../localstack/secretsManager/index.ts';
import { createTaggedSecret } from './secretFixtures.ts';
import { type Invocation, templateHandler } from './templateRotationHandler.ts';

const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-0000000115ed`;

const failure = async (promise: Promise<unknown>): Promise<{ name: string; message: string }> => {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
};

describe('Secrets Manager emulator: tags, listings and rotation dates', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
  let sm: SecretsManagerEmulator;
  let client: SecretsManagerClient;
  let functionArn: string;
  let counter = 0;
  const uniquePrefix = () => `listings/${++counter}`;

  beforeAll(async () => {
    sm = await startSecretsManagerEmulator({ clock, seed: 21 });
    client = sm.createClient({ maxAttempts: 1 });
    functionArn = sm.functionArn('listings-rotator');
    const invocations: Invocation[] = [];
    sm.registerRotationFunction(functionArn, templateHandler(client, invocations));
  });

  afterAll(async () => {
    client.destroy();
    await sm.close();
  });

  const create = (name: string, tags: Record<string, string> = {}) => createTaggedSecret(client, name, tags, token(1));
  /** A version with `stages` (AWSCURRENT when none are given). */
  const put = (name: string, n: number, stages?: string[]) =>
    client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: `v${n}`,
        ClientRequestToken: token(n),
        VersionStages: stages,
      }),
    );
  const names = async (prefix: string, filters: { Key: 'tag-key' | 'tag-value'; Values: string[] }[]) =>
    (
      await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }, ...filters] }))
    ).SecretList?.map((entry) => entry.Name);
  const entry = async (name: string) =>
    (await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }))).SecretList?.find(
      (e) => e.Name === name,
    );
  const rotate = (name: string, tok: string) =>
    client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        ClientRequestToken: tok,
      }),
    );

  it('filters ListSecrets on tag-key and tag-value: prefix, case-sensitive, values OR, keys AND on any tag', async () => {
    const prefix = uniquePrefix();
    await create(`${prefix}/a`, { 'clerk-rotator:machine-id': 'mch_a', team: 'payments' });
    await create(`${prefix}/b`, { 'clerk-rotator:machine-id': 'mch_b' });
    await create(`${prefix}/c`, { role: 'payments' });

    expect(await names(prefix, [{ Key: 'tag-key', Values: ['clerk-rotator:'] }])).toEqual([
      `${prefix}/a`,
      `${prefix}/b`,
    ]);
    expect(await names(prefix, [{ Key: 'tag-key', Values: ['Clerk-rotator:'] }])).toEqual([]);
    expect(await names(prefix, [{ Key: 'tag-value', Values: ['mch_b', 'pay'] }])).toEqual([
      `${prefix}/a`,
      `${prefix}/b`,
      `${prefix}/c`,
    ]);
    // Each filter may match a different tag of the secret: /c has no machine-id key, /b no value "payments".
    expect(
      await names(prefix, [
        { Key: 'tag-key', Values: ['clerk-rotator:machine-id'] },
        { Key: 'tag-value', Values: ['payments'] },
      ]),
    ).toEqual([`${prefix}/a`]);
  });

  it('lists each entry with its Tags and SecretVersionsToStages (labelled versions only)', async () => {
    const name = `${uniquePrefix()}/versions`;
    await create(name, { env: 'test' });
    await put(name, 2);
    await put(name, 3);
    await put(name, 4, ['AWSPENDING']);

    const listed = await entry(name);

    expect(listed?.Tags).toEqual([{ Key: 'env', Value: 'test' }]);
    expect(listed?.SecretVersionsToStages).toEqual({
      [token(2)]: ['AWSPREVIOUS'],
      [token(3)]: ['AWSCURRENT'],
      [token(4)]: ['AWSPENDING'],
    });
    expect(listed).not.toHaveProperty('RotationEnabled');
    expect(listed).not.toHaveProperty('LastRotatedDate');
  });

  it('reports RotationEnabled, RotationLambdaARN and LastRotatedDate in ListSecrets and DescribeSecret as AWS documents', async () => {
    // Prepare
    const name = `${uniquePrefix()}/rotated`;
    await create(name);
    clock.advance(60_000);
    // Act
    await rotate(name, token(2));
    const rotatedAt = clock.now();
    const listed = await entry(name);
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    clock.advance(60_000);
    await client.send(new CancelRotateSecretCommand({ SecretId: name }));
    const listedOff = await entry(name);
    const describedOff = await client.send(new DescribeSecretCommand({ SecretId: name }));
    // Assess: on while rotation is on; after it is turned off ListSecrets keeps the date, DescribeSecret returns null
    expect(listed).toMatchObject({ RotationEnabled: true, RotationLambdaARN: functionArn });
    expect(listed?.LastRotatedDate).toEqual(new Date(rotatedAt));
    expect(listed?.SecretVersionsToStages).toEqual({ [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] });
    expect(described.LastRotatedDate).toEqual(new Date(rotatedAt));
    expect(listedOff).toMatchObject({ RotationEnabled: false, RotationLambdaARN: functionArn });
    expect(listedOff?.LastRotatedDate).toEqual(new Date(rotatedAt));
    expect(describedOff.RotationEnabled).toBe(false);
    expect(describedOff.LastRotatedDate).toBeUndefined();
  });

  it('leaves LastRotatedDate out until a rotation completed, and sets it again when rotation is turned back on', async () => {
    const name = `${uniquePrefix()}/tested`;
    await create(name);
    await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: false,
      }),
    );
    const testedOnly = await client.send(new DescribeSecretCommand({ SecretId: name }));
    await client.send(new CancelRotateSecretCommand({ SecretId: name }));
    clock.advance(5_000);
    await rotate(name, token(2));
    const rotatedAt = clock.now();
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    expect(testedOnly.RotationEnabled).toBe(true);
    expect(testedOnly.LastRotatedDate).toBeUndefined();
    expect((await entry(name))?.LastRotatedDate).toEqual(new Date(rotatedAt));
    expect(described.LastRotatedDate).toEqual(new Date(rotatedAt));
  });

  it('gives every version its CreatedDate in ListSecretVersionIds, the pending one included', async () => {
    const name = `${uniquePrefix()}/created`;
    const first = clock.now();
    await create(name);
    clock.advance(1_000);
    await put(name, 2);
    clock.advance(1_000);
    await put(name, 3, ['AWSPENDING']);

    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));

    expect(listed.Versions?.map((v) => [v.VersionId, v.VersionStages, v.CreatedDate])).toEqual([
      [token(1), ['AWSPREVIOUS'], new Date(first)],
      [token(2), ['AWSCURRENT'], new Date(first + 1_000)],
      [token(3), ['AWSPENDING'], new Date(first + 2_000)],
    ]);
  });

  it('merges and overwrites tags by key, ignores unknown keys on UntagResource, and refuses a missing secret', async () => {
    const name = `${uniquePrefix()}/tags`;
    await create(name, { a: '1', b: '2' });

    await client.send(
      new TagResourceCommand({
        SecretId: name,
        Tags: [
          { Key: 'b', Value: '3' },
          { Key: 'c', Value: '' },
        ],
      }),
    );
    await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a', 'never-set'] }));
    const missingTag = await failure(
      client.send(new TagResourceCommand({ SecretId: `${name}/missing`, Tags: [{ Key: 'k', Value: 'v' }] })),
    );
    const missingUntag = await failure(
      client.send(new UntagResourceCommand({ SecretId: `${name}/missing`, TagKeys: ['k'] })),
    );
    const longKey = await failure(
      client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })),
    );

    expect((await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags).toEqual([
      { Key: 'b', Value: '3' },
      { Key: 'c', Value: '' },
    ]);
    expect([missingTag.name, missingUntag.name, longKey.name]).toEqual([
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      'ValidationException',
    ]);
  });

  it('refuses ListSecrets filter values outside the Filter shape: more than 10, or characters the pattern excludes', async () => {
    const tooMany = await failure(
      client.send(
        new ListSecretsCommand({
          Filters: [{ Key: 'tag-key', Values: Array.from({ length: 11 }, (_, i) => `k${i}`) }],
        }),
      ),
    );
    const badCharacter = await failure(
      client.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['mch_*'] }] })),
    );

    expect(tooMany).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('length less than or equal to 10'),
    });
    expect(badCharacter).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('pattern') });
  });
});
