/**
 * Differential tests: the same scripted scenarios against our emulator and a real `moto_server`, asserting the same
 * observable results (labels, VersionIdsToStages, error names) wherever moto models AWS. Where moto departs from AWS's
 * documentation, our emulator follows AWS and the test named "moto differs: …" pins both behaviours, so every known
 * difference is listed in the test report (and in docs/local-stack-secrets-manager.md).
 */
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { attempt, errorName, motoPath, useBothServices, warnWhenMotoMissing } from './motoDifferential.ts';

warnWhenMotoMissing('secretsManagerVsMoto');

const DAY_MS = 86_400_000;
const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-0000000d1ff0`;

type StageMap = Record<string, string[]> | undefined;

/** Labels sorted per version (label order is not part of the contract). */
const sorted = (map: StageMap): StageMap =>
  map === undefined
    ? undefined
    : Object.fromEntries(Object.entries(map).map(([id, stages]) => [id, [...stages].sort()]));

/** Only versions that carry a label (moto also lists deprecated ones with `[]`: a separate, pinned difference). */
const labelled = (map: StageMap): StageMap => {
  if (map === undefined) return undefined;
  const entries = Object.entries(sorted(map) ?? {}).filter(([, stages]) => stages.length > 0);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
};

describe.skipIf(motoPath === undefined)('Secrets Manager emulator vs moto_server', () => {
  const { onBoth, emulator, isEmulatorClient } = useBothServices({ seed: 99 });

  const create = (client: SecretsManagerClient, name: string, value = 'v1', tok = token(1)) =>
    client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: tok }));
  const put = (client: SecretsManagerClient, name: string, value: string, tok: string, stages?: string[]) =>
    client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: value,
        ClientRequestToken: tok,
        VersionStages: stages,
      }),
    );
  const moveStage = (client: SecretsManagerClient, name: string, stage: string, moveTo?: string, removeFrom?: string) =>
    client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: stage,
        MoveToVersionId: moveTo,
        RemoveFromVersionId: removeFrom,
      }),
    );
  const stagesOf = async (client: SecretsManagerClient, name: string): Promise<StageMap> =>
    (await client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;

  /** v1 (AWSPREVIOUS), v2 (AWSCURRENT), v3 (AWSPENDING). */
  const threeVersions = async (client: SecretsManagerClient, name: string) => {
    await create(client, name, 'v1', token(1));
    await put(client, name, 'v2', token(2));
    await put(client, name, 'v3', token(3), ['AWSPENDING']);
  };

  describe('agreements', () => {
    it('CreateSecret: the token becomes the VersionId, the ARN ends in six random characters, the version is AWSCURRENT', async () => {
      const result = await onBoth(async (client, name) => {
        const created = await create(client, name);
        return {
          versionId: created.VersionId,
          arnShape: new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`).test(
            created.ARN ?? '',
          ),
          stages: sorted(await stagesOf(client, name)),
        };
      });

      expect(result.ours).toEqual({ versionId: token(1), arnShape: true, stages: { [token(1)]: ['AWSCURRENT'] } });
      expect(result.moto).toEqual(result.ours);
    });

    it('CreateSecret idempotency: same token and value repeats, a different value or token is ResourceExistsException', async () => {
      const result = await onBoth(async (client, name) => {
        const first = await create(client, name, 'v1', token(1));
        return {
          repeat: await attempt(create(client, name, 'v1', token(1)), (r) => r.ARN === first.ARN && r.VersionId),
          otherValue: await errorName(create(client, name, 'v2', token(1))),
          otherToken: await errorName(create(client, name, 'v1', token(2))),
        };
      });

      expect(result.ours).toEqual({
        repeat: { ok: token(1) },
        otherValue: 'ResourceExistsException',
        otherToken: 'ResourceExistsException',
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('CreateSecret without a value: no version, GetSecretValue is ResourceNotFoundException', async () => {
      const result = await onBoth(async (client, name) => {
        const created = await client.send(new CreateSecretCommand({ Name: name }));
        return {
          versionId: created.VersionId,
          stages: await stagesOf(client, name),
          get: await errorName(client.send(new GetSecretValueCommand({ SecretId: name }))),
        };
      });

      expect(result.ours).toEqual({ versionId: undefined, stages: undefined, get: 'ResourceNotFoundException' });
      expect(result.moto).toEqual(result.ours);
    });

    it('PutSecretValue without VersionStages: new AWSCURRENT, old AWSPREVIOUS, older deprecated', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        const second = await put(client, name, 'v2', token(2));
        const afterSecond = labelled(await stagesOf(client, name));
        await put(client, name, 'v3', token(3));
        return { second: second.VersionStages, afterSecond, afterThird: labelled(await stagesOf(client, name)) };
      });

      expect(result.ours).toEqual({
        second: ['AWSCURRENT'],
        afterSecond: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] },
        afterThird: { [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSCURRENT'] },
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('PutSecretValue with VersionStages: only those labels, moved from the version that had them', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        await put(client, name, 'v2', token(2), ['AWSPENDING']);
        const pendingOnV2 = labelled(await stagesOf(client, name));
        await put(client, name, 'v3', token(3), ['AWSPENDING', 'custom']);
        return { pendingOnV2, movedToV3: labelled(await stagesOf(client, name)) };
      });

      expect(result.ours).toEqual({
        pendingOnV2: { [token(1)]: ['AWSCURRENT'], [token(2)]: ['AWSPENDING'] },
        movedToV3: { [token(1)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING', 'custom'] },
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('PutSecretValue on a secret without versions makes the first version AWSCURRENT whatever labels were asked for', async () => {
      const result = await onBoth(async (client, name) => {
        await client.send(new CreateSecretCommand({ Name: name }));
        const first = await put(client, name, 'a', token(1), ['AWSPENDING']);
        return [...(first.VersionStages ?? [])].sort();
      });

      expect(result.ours).toEqual(['AWSCURRENT', 'AWSPENDING']);
      expect(result.moto).toEqual(result.ours);
    });

    it('PutSecretValue idempotency: same token and value repeats; a different value is ResourceExistsException; bad tokens and missing values are refused', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        await put(client, name, 'v2', token(2));
        return {
          repeat: await attempt(put(client, name, 'v2', token(2)), (r) => [r.VersionId, r.VersionStages]),
          conflict: await errorName(put(client, name, 'changed', token(2))),
          shortToken: await errorName(put(client, name, 'v9', 'x'.repeat(31))),
          longToken: await errorName(put(client, name, 'v9', 'x'.repeat(65))),
          noValue: await errorName(
            client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token(5) })),
          ),
          stages: labelled(await stagesOf(client, name)),
        };
      });

      expect(result.ours).toEqual({
        repeat: { ok: [token(2), ['AWSCURRENT']] },
        conflict: 'ResourceExistsException',
        shortToken: 'InvalidParameterException',
        longToken: 'InvalidParameterException',
        noValue: 'InvalidRequestException',
        stages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] },
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('UpdateSecretVersionStage: AWSCURRENT moves only with the right RemoveFromVersionId, and AWSPREVIOUS follows', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        return {
          withoutRemoveFrom: await errorName(moveStage(client, name, 'AWSCURRENT', token(3))),
          wrongRemoveFrom: await errorName(moveStage(client, name, 'AWSCURRENT', token(3), token(1))),
          unchanged: labelled(await stagesOf(client, name)),
          moved: await attempt(moveStage(client, name, 'AWSCURRENT', token(3), token(2)), () => 'ok'),
          after: labelled(await stagesOf(client, name)),
        };
      });

      expect(result.ours).toEqual({
        withoutRemoveFrom: 'InvalidParameterException',
        wrongRemoveFrom: 'InvalidParameterException',
        unchanged: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
        moved: { ok: 'ok' },
        after: { [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSCURRENT', 'AWSPENDING'] },
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('UpdateSecretVersionStage: removes a label with RemoveFromVersionId and attaches a label nobody has', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        await moveStage(client, name, 'AWSPENDING', undefined, token(3));
        await moveStage(client, name, 'blue', token(1));
        return labelled(await stagesOf(client, name));
      });

      expect(result.ours).toEqual({ [token(1)]: ['AWSPREVIOUS', 'blue'], [token(2)]: ['AWSCURRENT'] });
      expect(result.moto).toEqual(result.ours);
    });

    it('GetSecretValue: by default, VersionId, VersionStage, both, ARN and partial ARN; mismatches and misses fail alike', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        const { ARN = '' } = await put(client, name, 'v2', token(2));
        const read = (input: { VersionId?: string; VersionStage?: string; SecretId?: string }) =>
          attempt(client.send(new GetSecretValueCommand({ SecretId: name, ...input })), (r) => [
            r.SecretString,
            r.VersionId,
            [...(r.VersionStages ?? [])].sort(),
          ]);
        return {
          current: await read({}),
          byId: await read({ VersionId: token(1) }),
          byStage: await read({ VersionStage: 'AWSPREVIOUS' }),
          both: await read({ VersionId: token(2), VersionStage: 'AWSCURRENT' }),
          byArn: await read({ SecretId: ARN }),
          byPartialArn: await read({ SecretId: ARN.slice(0, -7) }),
          mismatch: await read({ VersionId: token(1), VersionStage: 'AWSCURRENT' }),
          missingVersion: await read({ VersionId: token(8) }),
          missingStage: await read({ VersionStage: 'AWSPENDING' }),
          missingSecret: await read({ SecretId: `${name}/missing` }),
        };
      });

      const current = { ok: ['v2', token(2), ['AWSCURRENT']] };
      expect(result.ours).toEqual({
        current,
        byId: { ok: ['v1', token(1), ['AWSPREVIOUS']] },
        byStage: { ok: ['v1', token(1), ['AWSPREVIOUS']] },
        both: current,
        byArn: current,
        byPartialArn: current,
        mismatch: { error: 'InvalidRequestException' },
        missingVersion: { error: 'ResourceNotFoundException' },
        missingStage: { error: 'ResourceNotFoundException' },
        missingSecret: { error: 'ResourceNotFoundException' },
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('DescribeSecret returns only fields with a value: no RotationEnabled before rotation is configured', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        const plain = await client.send(new DescribeSecretCommand({ SecretId: name }));
        await client.send(
          new CreateSecretCommand({
            Name: `${name}-rich`,
            SecretString: 'v',
            Description: 'machine key',
            Tags: [{ Key: 'team', Value: 'platform' }],
          }),
        );
        const rich = await client.send(new DescribeSecretCommand({ SecretId: `${name}-rich` }));
        const keys = (output: object) =>
          Object.keys(output)
            .filter((key) => key !== '$metadata')
            .sort();
        return {
          plainKeys: keys(plain),
          richKeys: keys(rich),
          description: rich.Description,
          tags: rich.Tags,
          rotationEnabled: plain.RotationEnabled,
        };
      });

      expect(result.ours).toEqual({
        plainKeys: ['ARN', 'CreatedDate', 'LastChangedDate', 'Name', 'VersionIdsToStages'],
        richKeys: ['ARN', 'CreatedDate', 'Description', 'LastChangedDate', 'Name', 'Tags', 'VersionIdsToStages'],
        description: 'machine key',
        tags: [{ Key: 'team', Value: 'platform' }],
        rotationEnabled: undefined,
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('TagResource merges by key and UntagResource removes keys', async () => {
      const result = await onBoth(async (client, name) => {
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
        const merged = (await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags;
        await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a'] }));
        return { merged, afterUntag: (await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags };
      });

      expect(result.ours).toEqual({
        merged: [
          { Key: 'a', Value: '2' },
          { Key: 'b', Value: '3' },
        ],
        afterUntag: [{ Key: 'b', Value: '3' }],
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('DeleteSecret schedules deletion, blocks reads, refuses a second delete; RestoreSecret undoes it', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        const deleted = await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
        const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
        const deletionInDays = ((deleted.DeletionDate?.getTime() ?? 0) - Date.now()) / DAY_MS;
        return {
          deletionInSevenDays: Math.abs(deletionInDays - 7) < 0.01,
          deletedDateShown: described.DeletedDate?.getTime() === deleted.DeletionDate?.getTime(),
          get: await errorName(client.send(new GetSecretValueCommand({ SecretId: name }))),
          deleteAgain: await errorName(client.send(new DeleteSecretCommand({ SecretId: name }))),
          restore: await attempt(client.send(new RestoreSecretCommand({ SecretId: name })), (r) => r.Name === name),
          getAfterRestore: await attempt(
            client.send(new GetSecretValueCommand({ SecretId: name })),
            (r) => r.SecretString,
          ),
          deletedDateAfterRestore: (await client.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate,
        };
      });

      expect(result.ours).toEqual({
        deletionInSevenDays: true,
        deletedDateShown: true,
        get: 'InvalidRequestException',
        deleteAgain: 'InvalidRequestException',
        restore: { ok: true },
        getAfterRestore: { ok: 'v1' },
        deletedDateAfterRestore: undefined,
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('DeleteSecret validates the window; forced deletion is immediate and tolerates missing secrets', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        return {
          tooShort: await errorName(client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 6 }))),
          tooLong: await errorName(client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 31 }))),
          both: await errorName(
            client.send(
              new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
            ),
          ),
          forced: await attempt(
            client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })),
            (r) => r.Name,
          ),
          describeAfter: await errorName(client.send(new DescribeSecretCommand({ SecretId: name }))),
          forcedMissing: await attempt(
            client.send(new DeleteSecretCommand({ SecretId: `${name}/never`, ForceDeleteWithoutRecovery: true })),
            (r) => r.Name,
          ),
          missing: await errorName(client.send(new DeleteSecretCommand({ SecretId: `${name}/never` }))),
        };
      });

      expect(result.ours).toEqual({
        tooShort: 'InvalidParameterException',
        tooLong: 'InvalidParameterException',
        both: 'InvalidParameterException',
        forced: { ok: result.ours.forced && 'ok' in result.ours.forced ? result.ours.forced.ok : 'missing' },
        describeAfter: 'ResourceNotFoundException',
        forcedMissing: { ok: expect.stringContaining('/never') },
        missing: 'ResourceNotFoundException',
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('ListSecretVersionIds with IncludeDeprecated lists every version with its labels', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        await put(client, name, 'v4', token(4));
        const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
        return Object.fromEntries(
          (listed.Versions ?? []).map((v) => [v.VersionId, [...(v.VersionStages ?? [])].sort()]),
        );
      });

      expect(result.ours).toEqual({
        [token(1)]: [],
        [token(2)]: ['AWSPREVIOUS'],
        [token(3)]: ['AWSPENDING'],
        [token(4)]: ['AWSCURRENT'],
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('operations on a missing secret are ResourceNotFoundException', async () => {
      const result = await onBoth(async (client, name) => ({
        describe: await errorName(client.send(new DescribeSecretCommand({ SecretId: name }))),
        put: await errorName(put(client, name, 'v', token(1))),
        stage: await errorName(moveStage(client, name, 'AWSCURRENT', token(1))),
        tag: await errorName(client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] }))),
        rotate: await errorName(client.send(new RotateSecretCommand({ SecretId: name }))),
      }));

      expect(result.ours).toEqual({
        describe: 'ResourceNotFoundException',
        put: 'ResourceNotFoundException',
        stage: 'ResourceNotFoundException',
        tag: 'ResourceNotFoundException',
        rotate: 'ResourceNotFoundException',
      });
      expect(result.moto).toEqual(result.ours);
    });

    it('RotateSecret validates RotationRules and the token; CancelRotateSecret needs a configured rotation', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        return {
          zeroDays: await errorName(
            client.send(new RotateSecretCommand({ SecretId: name, RotationRules: { AutomaticallyAfterDays: 0 } })),
          ),
          tooManyDays: await errorName(
            client.send(new RotateSecretCommand({ SecretId: name, RotationRules: { AutomaticallyAfterDays: 1001 } })),
          ),
          shortToken: await errorName(
            client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: 'short' })),
          ),
          cancel: await errorName(client.send(new CancelRotateSecretCommand({ SecretId: name }))),
          rotationEnabled: (await client.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled,
        };
      });

      expect(result.ours).toEqual({
        zeroDays: 'InvalidParameterException',
        tooManyDays: 'InvalidParameterException',
        shortToken: 'InvalidParameterException',
        cancel: 'InvalidRequestException',
        rotationEnabled: undefined,
      });
      expect(result.moto).toEqual(result.ours);
    });
  });

  describe('moto differs from AWS (our emulator follows AWS)', () => {
    it('moto differs: the same token with a different value on an AWSPENDING version overwrites it (AWS: ResourceExistsException, versions are immutable)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        await put(client, name, 'pending-1', token(2), ['AWSPENDING']);
        const retried = await attempt(put(client, name, 'pending-2', token(2), ['AWSPENDING']), () => 'accepted');
        const pending = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }));
        return { retried, pendingValue: pending.SecretString };
      });

      expect(result.ours).toEqual({ retried: { error: 'ResourceExistsException' }, pendingValue: 'pending-1' });
      expect(result.moto).toEqual({ retried: { ok: 'accepted' }, pendingValue: 'pending-2' });
    });

    it('moto differs: DescribeSecret lists deprecated versions in VersionIdsToStages with [] (AWS lists labelled versions only)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        await put(client, name, 'v2', token(2));
        await put(client, name, 'v3', token(3));
        return sorted(await stagesOf(client, name));
      });

      expect(result.ours).toEqual({ [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSCURRENT'] });
      expect(result.moto).toEqual({ [token(1)]: [], [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSCURRENT'] });
    });

    it('moto differs: moving a label another version carries without RemoveFromVersionId puts it on both (AWS: InvalidParameterException)', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        const outcome = await attempt(moveStage(client, name, 'AWSPENDING', token(1)), () => 'accepted');
        return { outcome, stages: sorted(await stagesOf(client, name)) };
      });

      expect(result.ours).toEqual({
        outcome: { error: 'InvalidParameterException' },
        stages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
      });
      expect(result.moto).toEqual({
        outcome: { ok: 'accepted' },
        stages: { [token(1)]: ['AWSPENDING', 'AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
      });
    });

    it('moto differs: UpdateSecretVersionStage with neither MoveToVersionId nor RemoveFromVersionId is a silent no-op (AWS: RemoveFromVersionId is required)', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        return attempt(moveStage(client, name, 'AWSPENDING'), () => 'accepted');
      });

      expect(result.ours).toEqual({ error: 'InvalidParameterException' });
      expect(result.moto).toEqual({ ok: 'accepted' });
    });

    it('moto differs: removing AWSCURRENT without moving it leaves no version labelled AWSCURRENT (ours refuses)', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        const outcome = await attempt(moveStage(client, name, 'AWSCURRENT', undefined, token(2)), () => 'accepted');
        return { outcome, stages: labelled(await stagesOf(client, name)) };
      });

      expect(result.ours).toEqual({
        outcome: { error: 'InvalidParameterException' },
        stages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
      });
      expect(result.moto).toEqual({
        outcome: { ok: 'accepted' },
        stages: { [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSPENDING'] },
      });
    });

    it('moto differs: a refused move (unknown MoveToVersionId) has already taken the label off RemoveFromVersionId (ours changes nothing)', async () => {
      const result = await onBoth(async (client, name) => {
        await threeVersions(client, name);
        const outcome = await errorName(moveStage(client, name, 'AWSCURRENT', token(9), token(2)));
        return { outcome, stages: labelled(await stagesOf(client, name)) };
      });

      expect(result.ours).toEqual({
        outcome: 'InvalidParameterException',
        stages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
      });
      expect(result.moto).toEqual({
        outcome: 'InvalidParameterException',
        stages: { [token(1)]: ['AWSPREVIOUS'], [token(3)]: ['AWSPENDING'] },
      });
    });

    it('moto differs: a secret scheduled for deletion still takes PutSecretValue, TagResource and UpdateSecretVersionStage (AWS: InvalidRequestException)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        await client.send(new DeleteSecretCommand({ SecretId: name }));
        return {
          put: await errorName(put(client, name, 'v2', token(2))),
          tag: await errorName(
            client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] })),
          ),
          stage: await errorName(moveStage(client, name, 'blue', token(1))),
        };
      });

      expect(result.ours).toEqual({
        put: 'InvalidRequestException',
        tag: 'InvalidRequestException',
        stage: 'InvalidRequestException',
      });
      expect(result.moto).toEqual({ put: 'no error', tag: 'no error', stage: 'no error' });
    });

    it('moto differs: CreateSecret with the name of a secret scheduled for deletion is ResourceExistsException (AWS: InvalidRequestException)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        await client.send(new DeleteSecretCommand({ SecretId: name }));
        return errorName(create(client, name, 'again', token(2)));
      });

      expect(result.ours).toBe('InvalidRequestException');
      expect(result.moto).toBe('ResourceExistsException');
    });

    it('moto differs: ListSecretVersionIds ignores IncludeDeprecated=false, answers the name as ARN and an empty NextToken', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        await put(client, name, 'v2', token(2));
        await put(client, name, 'v3', token(3));
        const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
        return {
          versionIds: (listed.Versions ?? []).map((v) => v.VersionId).sort(),
          arnIsArn: listed.ARN?.startsWith('arn:aws:secretsmanager:'),
          nextToken: listed.NextToken,
        };
      });

      expect(result.ours).toEqual({ versionIds: [token(2), token(3)], arnIsArn: true, nextToken: undefined });
      expect(result.moto).toEqual({ versionIds: [token(1), token(2), token(3)], arnIsArn: false, nextToken: '' });
    });

    it('moto differs: ListSecretVersionIds on a missing secret is an HTTP 500 (AWS: ResourceNotFoundException)', async () => {
      const result = await onBoth(async (client, name) => {
        try {
          await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
          return 'no error';
        } catch (error) {
          const e = error as Error & { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
          return e.name === 'ResourceNotFoundException'
            ? e.name
            : `HTTP ${e.$metadata?.httpStatusCode ?? e.$response?.statusCode}`;
        }
      });

      expect(result.ours).toBe('ResourceNotFoundException');
      expect(result.moto).toBe('HTTP 500');
    });

    it('moto differs: it accepts values over 65,536 bytes, SecretString with SecretBinary, and names with invalid characters', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        return {
          oversized: await errorName(put(client, name, 'x'.repeat(65_537), token(2))),
          bothValueKinds: await errorName(
            client.send(
              new CreateSecretCommand({ Name: `${name}-both`, SecretString: 'a', SecretBinary: new Uint8Array([1]) }),
            ),
          ),
          invalidName: await errorName(create(client, `${name} has spaces!`)),
        };
      });

      expect(result.ours).toEqual({
        oversized: 'ValidationException',
        bothValueKinds: 'InvalidParameterException',
        invalidName: 'InvalidParameterException',
      });
      expect(result.moto).toEqual({ oversized: 'no error', bothValueKinds: 'no error', invalidName: 'no error' });
    });

    it('moto differs: RotateSecret without a Lambda ARN rotates anyway, making a valueless version AWSCURRENT (AWS: InvalidRequestException)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        const rotated = await attempt(
          client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token(2) })),
          (r) => r.VersionId,
        );
        return {
          rotated,
          stages: labelled(await stagesOf(client, name)),
          get: await errorName(client.send(new GetSecretValueCommand({ SecretId: name }))),
        };
      });

      expect(result.ours).toEqual({
        rotated: { error: 'InvalidRequestException' },
        stages: { [token(1)]: ['AWSCURRENT'] },
        get: 'no error',
      });
      expect(result.moto).toEqual({
        rotated: { ok: token(2) },
        stages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] },
        get: 'ResourceNotFoundException',
      });
    });

    it('moto differs: RotateSecret with a Lambda that cannot be invoked is ResourceNotFoundException (ours: AccessDeniedException, as AWS answers for an uninvocable function)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        return errorName(
          client.send(
            new RotateSecretCommand({
              SecretId: name,
              RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:never-registered',
            }),
          ),
        );
      });

      expect(result.ours).toBe('AccessDeniedException');
      expect(result.moto).toBe('ResourceNotFoundException');
    });

    it('moto differs: RotateSecret proceeds while AWSPENDING sits on a version other than AWSCURRENT (AWS: "A previous rotation isn\'t complete")', async () => {
      const functionArn = emulator().functionArn('diff-noop-rotator');
      emulator().registerRotationFunction(functionArn, async () => {});
      const result = await onBoth(async (client, name) => {
        await create(client, name, 'v1', token(1));
        await put(client, name, 'half-done', token(2), ['AWSPENDING']);
        // moto cannot invoke an in-process function, so it runs its Lambda-less rotation; ours gets a real function.
        const rotate = new RotateSecretCommand({
          SecretId: name,
          ClientRequestToken: token(3),
          ...(isEmulatorClient(client) ? { RotationLambdaARN: functionArn } : {}),
        });
        return errorName(client.send(rotate));
      });

      expect(result.ours).toBe('InvalidRequestException');
      expect(result.moto).toBe('no error');
    });

    it('moto differs: RotationRules with both AutomaticallyAfterDays and ScheduleExpression are accepted (AWS: one or the other)', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        return errorName(
          client.send(
            new RotateSecretCommand({
              SecretId: name,
              RotationRules: { AutomaticallyAfterDays: 2, ScheduleExpression: 'rate(4 hours)' },
            }),
          ),
        );
      });

      expect(result.ours).toBe('InvalidParameterException');
      expect(result.moto).toBe('no error');
    });

    it('moto differs: after the last tag is removed DescribeSecret returns Tags: [] (ours omits the empty field)', async () => {
      const result = await onBoth(async (client, name) => {
        await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }] }));
        await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a'] }));
        return (await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags;
      });

      expect(result.ours).toBeUndefined();
      expect(result.moto).toEqual([]);
    });

    it('moto differs: a CreateSecret without a value retried with the same token is ResourceExistsException (ours: the same request, answered again)', async () => {
      const result = await onBoth(async (client, name) => {
        await client.send(new CreateSecretCommand({ Name: name, ClientRequestToken: token(1) }));
        return errorName(client.send(new CreateSecretCommand({ Name: name, ClientRequestToken: token(1) })));
      });

      expect(result.ours).toBe('no error');
      expect(result.moto).toBe('ResourceExistsException');
    });

    it('moto differs: ResourceNotFoundException and the VersionId/VersionStage mismatch come with HTTP 404 (AWS: 400); error names agree', async () => {
      const result = await onBoth(async (client, name) => {
        await create(client, name);
        const status = async (promise: Promise<unknown>) => {
          try {
            await promise;
            return 'no error';
          } catch (error) {
            const e = error as Error & { $metadata?: { httpStatusCode?: number } };
            return `${e.name} ${e.$metadata?.httpStatusCode}`;
          }
        };
        return {
          missing: await status(client.send(new GetSecretValueCommand({ SecretId: `${name}/missing` }))),
          mismatch: await status(
            client.send(
              new GetSecretValueCommand({ SecretId: name, VersionId: token(1), VersionStage: 'AWSPREVIOUS' }),
            ),
          ),
        };
      });

      expect(result.ours).toEqual({
        missing: 'ResourceNotFoundException 400',
        mismatch: 'InvalidRequestException 400',
      });
      expect(result.moto).toEqual({
        missing: 'ResourceNotFoundException 404',
        mismatch: 'InvalidRequestException 404',
      });
    });
  });
});
