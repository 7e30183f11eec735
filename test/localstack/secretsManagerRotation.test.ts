import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerRotationHandler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type RotationFunctionHandler,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../localstack/secretsManager/index.ts';
import { gate, type Invocation, templateHandler } from './templateRotationHandler.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-00000000beef`;

const awsError = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
};

class ManualClock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
}

describe('Function: startSecretsManagerEmulator (rotation)', () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  const sleeps: number[] = [];
  let sm: SecretsManagerEmulator;
  let client: SecretsManagerClient;
  let counter = 0;
  let fnCounter = 0;
  const uniqueName = () => `rotation/secret-${++counter}`;

  beforeAll(async () => {
    sm = await startSecretsManagerEmulator({
      clock,
      seed: 7,
      rotationBackoffMs: (attempt) => attempt * 1000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    client = sm.createClient({ maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await sm.close();
  });

  beforeEach(() => {
    sleeps.length = 0;
  });

  /** A secret with one AWSCURRENT version and a fresh function ARN with `handler` registered. */
  const setUp = async (handler: RotationFunctionHandler, timeoutMs?: number) => {
    const name = uniqueName();
    const created = await client.send(
      new CreateSecretCommand({ Name: name, SecretString: 'original', ClientRequestToken: token(1) }),
    );
    const functionArn = sm.functionArn(`rotator-${++fnCounter}`);
    sm.registerRotationFunction(functionArn, handler, timeoutMs === undefined ? {} : { timeoutMs });
    return { name, arn: created.ARN ?? '', functionArn };
  };

  const describeSecret = (secretId: string) => client.send(new DescribeSecretCommand({ SecretId: secretId }));

  describe('RotateSecret (successful rotation)', () => {
    it('invokes the four steps in order with the ARN, the token and a RotationToken, then reports the rotation', async () => {
      // Prepare
      const invocations: Invocation[] = [];
      const { name, arn, functionArn } = await setUp(templateHandler(client, invocations));

      // Act
      const response = await client.send(
        new RotateSecretCommand({
          SecretId: name,
          ClientRequestToken: token(2),
          RotationLambdaARN: functionArn,
          RotationRules: { AutomaticallyAfterDays: 30 },
        }),
      );

      // Assess
      expect(response).toMatchObject({ ARN: arn, Name: name, VersionId: token(2) });
      expect(invocations.map((i) => i.event.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
      for (const { event } of invocations) {
        expect(event).toEqual({
          Step: event.Step,
          SecretId: arn,
          ClientRequestToken: token(2),
          RotationToken: expect.stringMatching(UUID),
        });
      }
      const described = await describeSecret(name);
      expect(described).toMatchObject({
        RotationEnabled: true,
        RotationLambdaARN: functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        LastRotatedDate: new Date(clock.ms),
        NextRotationDate: new Date(clock.ms + 30 * DAY_MS),
        VersionIdsToStages: { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] },
      });
      expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('rotated-00000002');
      const [record] = sm.rotations().filter((r) => r.secretName === name);
      expect(record).toMatchObject({ outcome: 'succeeded', mode: 'rotate', functionArn, clientRequestToken: token(2) });
      expect(record?.attempts).toHaveLength(1);
    });

    it('hands the function a complete Lambda context', async () => {
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(templateHandler(client, invocations), 5_000);

      await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }));

      const contexts = invocations.map((i) => i.context);
      const [first] = contexts;
      expect(first).toMatchObject({
        functionName: functionArn.split(':').at(-1),
        invokedFunctionArn: functionArn,
        functionVersion: '$LATEST',
        memoryLimitInMB: '128',
        callbackWaitsForEmptyEventLoop: true,
        logGroupName: `/aws/lambda/${functionArn.split(':').at(-1)}`,
      });
      expect(first?.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(first?.getRemainingTimeInMillis()).toBeGreaterThan(0);
      expect(first?.getRemainingTimeInMillis()).toBeLessThanOrEqual(5_000);
      expect(new Set(contexts.map((c) => c.awsRequestId)).size).toBe(4);
      expect(() => first?.succeed('x')).toThrow(/promise/);
    });

    it('registers the token as a valueless AWSPENDING version before createSecret runs', async () => {
      const seen: unknown[] = [];
      const { name, functionArn } = await setUp(async (event) => {
        if (event.Step !== 'createSecret') return;
        const described = await describeSecret(event.SecretId);
        seen.push(described.VersionIdsToStages);
        seen.push(
          (
            await awsError(
              client.send(new GetSecretValueCommand({ SecretId: event.SecretId, VersionStage: 'AWSPENDING' })),
            )
          ).name,
        );
        seen.push(
          (
            await awsError(
              client.send(new GetSecretValueCommand({ SecretId: event.SecretId, VersionId: event.ClientRequestToken })),
            )
          ).name,
        );
        throw new Error('stop here');
      });

      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, ClientRequestToken: token(3) }),
      );

      expect(seen.slice(0, 3)).toEqual([
        { [token(1)]: ['AWSCURRENT'], [token(3)]: ['AWSPENDING'] },
        'ResourceNotFoundException',
        'ResourceNotFoundException',
      ]);
    });

    it('reuses the stored function and rules when RotateSecret is called again without them', async () => {
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(templateHandler(client, invocations));
      await client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: functionArn,
          RotationRules: { ScheduleExpression: 'rate(4 hours)' },
        }),
      );

      await client.send(new RotateSecretCommand({ SecretId: name }));

      expect(invocations).toHaveLength(8);
      expect(await describeSecret(name)).toMatchObject({
        RotationRules: { ScheduleExpression: 'rate(4 hours)' },
        NextRotationDate: new Date(clock.ms + 4 * HOUR_MS),
      });
    });

    it('allows the next rotation when a finished rotation left AWSPENDING on the AWSCURRENT version', async () => {
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(templateHandler(client, invocations, { keepPending: true }));
      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, ClientRequestToken: token(2) }),
      );
      expect((await describeSecret(name)).VersionIdsToStages?.[token(2)]).toEqual(['AWSPENDING', 'AWSCURRENT']);

      await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token(3) }));

      expect((await describeSecret(name)).VersionIdsToStages).toEqual({
        [token(2)]: ['AWSPREVIOUS'],
        [token(3)]: ['AWSPENDING', 'AWSCURRENT'],
      });
    });

    it('treats a repeated RotateSecret with the token of a finished rotation as the same request', async () => {
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(templateHandler(client, invocations));
      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, ClientRequestToken: token(2) }),
      );

      const repeat = await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token(2) }));

      expect(repeat.VersionId).toBe(token(2));
      expect(invocations).toHaveLength(4);
    });

    it('generates a UUID token when the caller sends none', async () => {
      const { name, functionArn } = await setUp(templateHandler(client, []));

      const response = await fetch(sm.endpoint, {
        method: 'POST',
        headers: { authorization: 'AWS4-HMAC-SHA256 x', 'x-amz-target': 'secretsmanager.RotateSecret' },
        body: JSON.stringify({ SecretId: name, RotationLambdaARN: functionArn }),
      });

      expect(((await response.json()) as { VersionId: string }).VersionId).toMatch(UUID);
    });
  });

  describe('RotateSecret (failures and retries)', () => {
    it('retries the whole rotation from createSecret with the same token, with the configured backoff', async () => {
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(
        templateHandler(client, invocations, { fail: (step, call) => step === 'setSecret' && call < 6 }),
      );

      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, ClientRequestToken: token(2) }),
      );

      expect(invocations.map((i) => i.event.Step)).toEqual([
        'createSecret',
        'setSecret',
        'createSecret',
        'setSecret',
        'createSecret',
        'setSecret',
        'testSecret',
        'finishSecret',
      ]);
      expect(new Set(invocations.map((i) => i.event.ClientRequestToken))).toEqual(new Set([token(2)]));
      expect(sleeps).toEqual([1000, 2000]);
      const [record] = sm.rotations().filter((r) => r.secretName === name);
      expect(record?.outcome).toBe('succeeded');
      expect(record?.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'succeeded']);
      expect(record?.attempts[0]?.steps[1]).toMatchObject({
        step: 'setSecret',
        outcome: 'failed',
        error: { name: 'Error', message: 'setSecret failed on purpose' },
      });
    });

    it('gives up after the last attempt and leaves AWSPENDING, so the next RotateSecret is refused until it is removed', async () => {
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(
        templateHandler(client, invocations, { fail: (step) => step === 'testSecret' }),
      );

      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, ClientRequestToken: token(2) }),
      );
      const refused = await awsError(
        client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token(3) })),
      );
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: token(2),
        }),
      );
      const [record] = sm.rotations().filter((r) => r.secretName === name);

      expect(invocations.filter((i) => i.event.Step === 'testSecret')).toHaveLength(3);
      expect(record).toMatchObject({ outcome: 'failed', error: { message: 'testSecret failed on purpose' } });
      expect(refused).toMatchObject({
        name: 'InvalidRequestException',
        message: "A previous rotation isn't complete. That rotation will be reattempted.",
      });
      expect((await describeSecret(name)).LastRotatedDate).toBeUndefined();
      expect((await describeSecret(name)).VersionIdsToStages).toEqual({ [token(1)]: ['AWSCURRENT'] });
    });

    it('fails a step that outlives the function timeout as Sandbox.Timedout', async () => {
      const { name, functionArn } = await setUp(() => new Promise((resolve) => setTimeout(resolve, 300)), 20);

      await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }));

      const steps = sm.stepInvocations().filter((s) => s.secretArn.includes(name));
      expect(steps.map((s) => s.outcome)).toEqual(['timedOut', 'timedOut', 'timedOut']);
      expect(steps[0]?.error).toEqual({ name: 'Sandbox.Timedout', message: 'Task timed out after 0.02 seconds' });
    });

    it('fails a step whose handler throws synchronously', async () => {
      const { name, functionArn } = await setUp(() => {
        throw new TypeError('boom');
      });

      await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }));

      expect(sm.rotations().find((r) => r.secretName === name)?.error).toEqual({ name: 'TypeError', message: 'boom' });
    });
  });

  describe('RotateSecret (handler styles)', () => {
    it('accepts a callback-style Handler from @types/aws-lambda and completes each step through the callback', async () => {
      const steps: string[] = [];
      const handler: SecretsManagerRotationHandler = (event, _context, callback) => {
        steps.push(event.Step);
        setTimeout(() => callback(event.Step === 'testSecret' && steps.length < 4 ? new Error('not yet') : null), 1);
      };
      const { name, functionArn } = await setUp(handler);

      await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }));

      expect(steps).toEqual([
        'createSecret',
        'setSecret',
        'testSecret',
        'createSecret',
        'setSecret',
        'testSecret',
        'finishSecret',
      ]);
      const record = sm.rotations().find((r) => r.secretName === name);
      expect(record?.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
      expect(record?.attempts[0]?.steps[2]?.error).toEqual({ name: 'Error', message: 'not yet' });
    });

    it('treats a synchronous handler without a callback parameter as done when it returns', async () => {
      const steps: string[] = [];
      const { name, functionArn } = await setUp((event) => {
        steps.push(event.Step);
      });

      await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }));

      expect(steps).toHaveLength(4);
      expect(sm.rotations().find((r) => r.secretName === name)?.outcome).toBe('succeeded');
    });
  });

  describe('RotateSecret (validation)', () => {
    it('refuses without a function ARN, with an unregistered one, and with invalid rules', async () => {
      const { name, functionArn } = await setUp(templateHandler(client, []));
      const cases = [
        [{}, 'InvalidRequestException'],
        [{ RotationLambdaARN: sm.functionArn('nobody-registered-this') }, 'AccessDeniedException'],
        [{ RotationLambdaARN: 'not-an-arn' }, 'InvalidParameterException'],
        [{ RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 0 } }, 'InvalidParameterException'],
        [
          { RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'rate(3 hours)' } },
          'InvalidParameterException',
        ],
        [
          { RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'every day' } },
          'InvalidParameterException',
        ],
        [
          {
            RotationLambdaARN: functionArn,
            RotationRules: { AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 day)' },
          },
          'InvalidParameterException',
        ],
        [
          { RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 1, Duration: '25h' } },
          'InvalidParameterException',
        ],
        [{ RotationLambdaARN: functionArn, ClientRequestToken: 'short' }, 'InvalidParameterException'],
      ] as const;

      for (const [input, expected] of cases) {
        const error = await awsError(client.send(new RotateSecretCommand({ SecretId: name, ...input })));
        expect({ input, name: error.name }).toEqual({ input, name: expected });
      }
      expect((await describeSecret(name)).RotationEnabled).toBeUndefined();
    });

    it('refuses a secret scheduled for deletion', async () => {
      const { name, functionArn } = await setUp(templateHandler(client, []));
      await client.send(new DeleteSecretCommand({ SecretId: name }));

      const error = await awsError(
        client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn })),
      );

      expect(error.name).toBe('InvalidRequestException');
    });

    it('stores and echoes ScheduleExpression and Duration, computing NextRotationDate from cron', async () => {
      const { name, functionArn } = await setUp(templateHandler(client, []));

      await client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: functionArn,
          RotateImmediately: false,
          RotationRules: { ScheduleExpression: 'cron(0 16 ? * SUN *)', Duration: '2h' },
        }),
      );

      // 2026-03-01 is a Sunday; 12:00 now, so 16:00 the same day.
      expect(await describeSecret(name)).toMatchObject({
        RotationRules: { ScheduleExpression: 'cron(0 16 ? * SUN *)', Duration: '2h' },
        NextRotationDate: new Date(Date.UTC(2026, 2, 1, 16)),
      });
    });
  });

  describe('RotateSecret with RotateImmediately=false', () => {
    it('runs only testSecret against a temporary AWSPENDING copy of the current value, then removes it', async () => {
      const seen: unknown[] = [];
      const invocations: Invocation[] = [];
      const { name, functionArn } = await setUp(async (event, context) => {
        invocations.push({ event, context });
        const pending = await client.send(
          new GetSecretValueCommand({ SecretId: event.SecretId, VersionStage: 'AWSPENDING' }),
        );
        seen.push(pending.SecretString, pending.VersionId);
      });

      const response = await client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: functionArn,
          RotateImmediately: false,
          ClientRequestToken: token(4),
          RotationRules: { AutomaticallyAfterDays: 10 },
        }),
      );

      expect(invocations.map((i) => i.event.Step)).toEqual(['testSecret']);
      expect(seen).toEqual(['original', token(4)]);
      expect(response.VersionId).toBe(token(4));
      const described = await describeSecret(name);
      expect(described).toMatchObject({
        RotationEnabled: true,
        RotationRules: { AutomaticallyAfterDays: 10 },
        NextRotationDate: new Date(clock.ms + 10 * DAY_MS),
        VersionIdsToStages: { [token(1)]: ['AWSCURRENT'] },
      });
      expect(described.LastRotatedDate).toBeUndefined();
      expect(sm.inspectSecret(name)?.versions.map((v) => v.versionId)).toEqual([token(1)]);
      expect(sm.rotations().find((r) => r.secretName === name)).toMatchObject({ mode: 'test', outcome: 'succeeded' });
    });

    it('removes the temporary version even when testSecret fails', async () => {
      const { name, functionArn } = await setUp(() => Promise.reject(new Error('test failed')));

      await client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, RotateImmediately: false }),
      );

      expect((await describeSecret(name)).VersionIdsToStages).toEqual({ [token(1)]: ['AWSCURRENT'] });
      expect(sm.rotations().find((r) => r.secretName === name)?.outcome).toBe('failed');
    });
  });

  describe('PutSecretValue while rotation is configured', () => {
    it('counts a manual update of AWSCURRENT as a rotation for NextRotationDate', async () => {
      const { name, functionArn } = await setUp(templateHandler(client, []));
      await client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: functionArn,
          RotationRules: { AutomaticallyAfterDays: 5 },
        }),
      );
      clock.ms += DAY_MS;

      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'manual' }));

      expect((await describeSecret(name)).NextRotationDate).toEqual(new Date(clock.ms + 5 * DAY_MS));
    });
  });
});

describe('Function: startSecretsManagerEmulator (async rotation)', () => {
  let sm: SecretsManagerEmulator;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    sm = await startSecretsManagerEmulator({ rotation: 'async', seed: 11 });
    client = sm.createClient({ maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await sm.close();
  });

  it('answers RotateSecret at once and runs the steps in the background until rotationsIdle()', async () => {
    // Prepare
    const steps: string[] = [];
    const { open, opened } = gate();
    const functionArn = sm.functionArn('async-rotator');
    sm.registerRotationFunction(functionArn, async (event) => {
      steps.push(event.Step);
      await opened;
    });
    await client.send(new CreateSecretCommand({ Name: 'async/one', SecretString: 'v1' }));

    // Act
    const response = await client.send(
      new RotateSecretCommand({ SecretId: 'async/one', RotationLambdaARN: functionArn }),
    );
    const stepsWhenAnswered = [...steps];
    open();
    await sm.rotationsIdle();

    // Assess
    expect(response.VersionId).toMatch(UUID);
    expect(stepsWhenAnswered).toEqual(['createSecret']);
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(sm.rotations().find((r) => r.secretName === 'async/one')?.outcome).toBe('succeeded');
  });

  it('stops a running rotation on CancelRotateSecret, turns rotation off and returns the partial version', async () => {
    const steps: string[] = [];
    const { open, opened } = gate();
    const functionArn = sm.functionArn('cancelled-rotator');
    sm.registerRotationFunction(functionArn, async (event) => {
      steps.push(event.Step);
      await opened;
    });
    await client.send(new CreateSecretCommand({ Name: 'async/two', SecretString: 'v1' }));
    const rotation = await client.send(
      new RotateSecretCommand({
        SecretId: 'async/two',
        RotationLambdaARN: functionArn,
        RotationRules: { AutomaticallyAfterDays: 3 },
      }),
    );

    const cancelled = await client.send(new CancelRotateSecretCommand({ SecretId: 'async/two' }));
    open();
    await sm.rotationsIdle();

    expect(cancelled.VersionId).toBe(rotation.VersionId);
    expect(steps).toEqual(['createSecret']);
    expect(sm.rotations().find((r) => r.secretName === 'async/two')?.outcome).toBe('cancelled');
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'async/two' }));
    expect(described.RotationEnabled).toBe(false);
    expect(described.NextRotationDate).toBeUndefined();
    expect(described.VersionIdsToStages?.[rotation.VersionId ?? '']).toEqual(['AWSPENDING']);
  });

  it('treats a RotateSecret repeated with the token of a rotation in flight as the same request', async () => {
    const steps: string[] = [];
    const { open, opened } = gate();
    const functionArn = sm.functionArn('repeat-rotator');
    sm.registerRotationFunction(functionArn, async (event) => {
      steps.push(event.Step);
      await opened;
    });
    await client.send(new CreateSecretCommand({ Name: 'async/three', SecretString: 'v1' }));
    await client.send(
      new RotateSecretCommand({
        SecretId: 'async/three',
        RotationLambdaARN: functionArn,
        ClientRequestToken: token(9),
      }),
    );

    const repeat = await client.send(
      new RotateSecretCommand({ SecretId: 'async/three', ClientRequestToken: token(9) }),
    );
    const other = await awsError(
      client.send(new RotateSecretCommand({ SecretId: 'async/three', ClientRequestToken: token(10) })),
    );
    open();
    await sm.rotationsIdle();

    expect(repeat.VersionId).toBe(token(9));
    expect(other.name).toBe('InvalidRequestException');
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  });

  it('refuses CancelRotateSecret on a secret never configured for rotation', async () => {
    await client.send(new CreateSecretCommand({ Name: 'async/four', SecretString: 'v1' }));

    const error = await awsError(client.send(new CancelRotateSecretCommand({ SecretId: 'async/four' })));

    expect(error.name).toBe('InvalidRequestException');
  });

  it('rejects registrations with a malformed or qualified ARN', () => {
    expect(() => sm.registerRotationFunction('arn:aws:lambda:us-east-1:1:function:x', async () => {})).toThrow(
      TypeError,
    );
    expect(() => sm.registerRotationFunction(`${sm.functionArn('x')}:live`, async () => {})).toThrow(TypeError);
  });

  it('invokes the function registered under the unqualified ARN when rotation names an alias, and unregisters', async () => {
    const invoked: string[] = [];
    const functionArn = sm.functionArn('aliased');
    const unregister = sm.registerRotationFunction(functionArn, async (_event, context) => {
      invoked.push(context.invokedFunctionArn);
    });
    await client.send(new CreateSecretCommand({ Name: 'async/five', SecretString: 'v1' }));

    await client.send(new RotateSecretCommand({ SecretId: 'async/five', RotationLambdaARN: `${functionArn}:live` }));
    await sm.rotationsIdle();
    unregister();
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'async/five',
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: sm.inspectSecret('async/five')?.versions[1]?.versionId,
      }),
    );
    const afterUnregister = await awsError(client.send(new RotateSecretCommand({ SecretId: 'async/five' })));

    expect(invoked).toEqual(Array(4).fill(`${functionArn}:live`));
    expect(afterUnregister.name).toBe('AccessDeniedException');
  });
});
