import {
  CreateSecretCommand,
  DescribeSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  type RotationExecution,
  type RotationInvocationEvent,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../localstack/secretsManager/index.ts';
import { gate, type Invocation, templateHandler } from './templateRotationHandler.ts';

const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-00000c0ccc0c`;
const FIRST = token(2);
const SECOND = token(3);

const emulators: { sm: SecretsManagerEmulator; client: SecretsManagerClient }[] = [];
afterEach(async () => {
  for (const { sm, client } of emulators.splice(0)) {
    client.destroy();
    await sm.close();
  }
});

/**
 * AWS decides whether a RotateSecret may start from the labels alone: "If the AWSPENDING staging label is present but
 * not attached to the same version as AWSCURRENT, then any later invocation of RotateSecret assumes that a previous
 * rotation request is still in progress and returns an error." A rotation whose handler is still running once it has
 * removed AWSPENDING (e.g. still notifying consumers) therefore does not block the next RotateSecret.
 */
describe.each<RotationExecution>(['sync', 'async'])(
  'RotateSecret while another rotation is still running (%s)',
  (execution) => {
    it('is refused while the first rotation holds AWSPENDING, and runs beside it once AWSPENDING was removed', async () => {
      // Prepare: the first rotation pauses after createSecret, and again at the end of finishSecret
      const clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
      const sm = await startSecretsManagerEmulator({ clock, seed: 31, rotation: execution });
      const client = sm.createClient({ maxAttempts: 1 });
      emulators.push({ sm, client });
      const staged = gate();
      const resumeStaged = gate();
      const finishing = gate();
      const resumeFinishing = gate();
      const secondDone = gate();
      const template = templateHandler(client, [] as Invocation[]);
      const functionArn = sm.functionArn('concurrent-rotator');
      sm.registerRotationFunction(functionArn, async (event: RotationInvocationEvent, context: Context) => {
        await template(event, context);
        if (event.ClientRequestToken === FIRST && event.Step === 'createSecret') {
          staged.open();
          await resumeStaged.opened;
        }
        if (event.ClientRequestToken === FIRST && event.Step === 'finishSecret') {
          finishing.open();
          await resumeFinishing.opened;
        }
        if (event.ClientRequestToken === SECOND && event.Step === 'finishSecret') secondDone.open();
      });
      await client.send(
        new CreateSecretCommand({ Name: 'concurrent', SecretString: 'v1', ClientRequestToken: token(1) }),
      );
      const rotate = (tok: string) =>
        client.send(
          new RotateSecretCommand({ SecretId: 'concurrent', RotationLambdaARN: functionArn, ClientRequestToken: tok }),
        );
      const outcomeOf = (tok: string) => sm.rotations().find((r) => r.clientRequestToken === tok)?.outcome;

      // Act 1: a second RotateSecret while AWSPENDING sits on the first rotation's version
      const first = rotate(FIRST);
      await staged.opened;
      const refused = await rotate(SECOND).then(
        () => 'accepted',
        (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
      );
      resumeStaged.open();
      // Act 2: the same once the first rotation's finishSecret removed AWSPENDING, its handler still running
      await finishing.opened;
      const labelsWhileFirstRuns = (await client.send(new DescribeSecretCommand({ SecretId: 'concurrent' })))
        .VersionIdsToStages;
      const second = await rotate(SECOND);
      await secondDone.opened;
      // In async mode the record ends just after the handler returns.
      while (outcomeOf(SECOND) === 'running') await new Promise((resolve) => setTimeout(resolve, 5));
      const firstWhileSecondDone = outcomeOf(FIRST);
      const secondRotatedAt = clock.now();
      clock.advance(60_000);
      resumeFinishing.open();
      await first;
      await sm.rotationsIdle();
      const described = await client.send(new DescribeSecretCommand({ SecretId: 'concurrent' }));

      // Assess
      expect(refused).toBe(
        "InvalidRequestException: A previous rotation isn't complete. That rotation will be reattempted.",
      );
      expect(labelsWhileFirstRuns).toEqual({ [token(1)]: ['AWSPREVIOUS'], [FIRST]: ['AWSCURRENT'] });
      expect(second.VersionId).toBe(SECOND);
      expect(firstWhileSecondDone).toBe('running');
      expect(outcomeOf(SECOND)).toBe('succeeded');
      expect(outcomeOf(FIRST)).toBe('succeeded');
      expect(described.VersionIdsToStages).toEqual({ [FIRST]: ['AWSPREVIOUS'], [SECOND]: ['AWSCURRENT'] });
      // LastRotatedDate is the most recent successful completion: the first rotation's, which ended last.
      expect(described.LastRotatedDate).toEqual(new Date(secondRotatedAt + 60_000));
      expect(sm.rotations().map((r) => r.attempts.length)).toEqual([1, 1]);
    });
  },
);
