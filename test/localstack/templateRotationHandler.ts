import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import type { RotationInvocationEvent } from '../../localstack/secretsManager/index.ts';

export interface Invocation {
  readonly event: RotationInvocationEvent;
  readonly context: Context;
}

/**
 * A rotation function shaped like AWS's template (and like ours): createSecret puts the new value as AWSPENDING,
 * finishSecret moves AWSCURRENT and removes AWSPENDING. `fail` decides per step whether to throw.
 */
export const templateHandler = (
  client: SecretsManagerClient,
  invocations: Invocation[],
  options: { fail?: (step: string, call: number) => boolean; keepPending?: boolean } = {},
) => {
  let calls = 0;
  return async (event: RotationInvocationEvent, context: Context) => {
    invocations.push({ event, context });
    calls += 1;
    if (options.fail?.(event.Step, calls)) throw new Error(`${event.Step} failed on purpose`);
    const { SecretId: arn, ClientRequestToken: tok } = event;
    if (event.Step === 'createSecret') {
      await client.send(
        new PutSecretValueCommand({
          SecretId: arn,
          ClientRequestToken: tok,
          SecretString: `rotated-${tok.slice(0, 8)}`,
          VersionStages: ['AWSPENDING'],
          RotationToken: event.RotationToken,
        }),
      );
    }
    if (event.Step === 'finishSecret') {
      const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      )?.[0];
      if (current !== tok) {
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: arn,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: tok,
            RemoveFromVersionId: current,
          }),
        );
      }
      if (!options.keepPending) {
        await client.send(
          new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: tok }),
        );
      }
    }
  };
};

/** A promise a test opens when it chooses: `await opened` inside a handler holds that step until `open()`. */
export const gate = () => {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};
