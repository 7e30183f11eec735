import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidEmulatorOptionError,
  type SecretsManagerEmulator,
  SimulatedError,
  startSecretsManagerEmulator,
} from '../../localstack/secretsManager/index.ts';

const token = (n: number): string => `${String(n).padStart(8, '0')}-0000-4000-8000-00000000fa17`;

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      name: string;
      code?: string;
      $fault?: string;
      $metadata?: { httpStatusCode?: number; attempts?: number };
    };
    return {
      name: e.name,
      code: e.code,
      fault: e.$fault,
      status: e.$metadata?.httpStatusCode,
      attempts: e.$metadata?.attempts,
    };
  }
  throw new Error('expected the call to fail');
};

describe('Function: startSecretsManagerEmulator (faults)', () => {
  let sm: SecretsManagerEmulator;
  let once: SecretsManagerClient;
  let retrying: SecretsManagerClient;
  let counter = 0;
  const uniqueName = () => `faults/secret-${++counter}`;

  beforeAll(async () => {
    sm = await startSecretsManagerEmulator({ seed: 3 });
    once = sm.createClient({ maxAttempts: 1 });
    retrying = sm.createClient({ maxAttempts: 3 });
  });

  afterAll(async () => {
    once.destroy();
    retrying.destroy();
    await sm.close();
  });

  afterEach(() => {
    sm.faults.clear();
    sm.audit.clear();
  });

  it('fails the next N calls of an operation with InternalServiceError (500), which the SDK retries', async () => {
    // Prepare
    const name = uniqueName();
    await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    sm.faults.failNext('GetSecretValue', { times: 2 });

    // Act
    const value = await retrying.send(new GetSecretValueCommand({ SecretId: name }));

    // Assess
    expect(value.SecretString).toBe('v1');
    expect(value.$metadata.attempts).toBe(3);
    expect(
      sm.audit.entries({ operation: 'GetSecretValue' }).map((e) => [e.outcome, e.errorCode, e.status, e.fault]),
    ).toEqual([
      ['error', 'InternalServiceError', 500, 'error'],
      ['error', 'InternalServiceError', 500, 'error'],
      ['ok', undefined, 200, undefined],
    ]);
  });

  it('surfaces an injected ThrottlingException as error.name with status 400', async () => {
    sm.faults.failNext('ListSecrets', SimulatedError.throttling);

    const error = await failure(once.send(new ListSecretsCommand({})));

    expect(error).toMatchObject({ name: 'ThrottlingException', status: 400, fault: 'client' });
  });

  it('applies an operation-specific fault before a `*` fault', async () => {
    sm.faults.failNext('*', { code: 'ThrottlingException' });
    sm.faults.failNext('ListSecrets', { code: 'InternalServiceError' });

    const first = await failure(once.send(new ListSecretsCommand({})));
    const second = await failure(once.send(new ListSecretsCommand({})));
    await once.send(new ListSecretsCommand({}));

    expect([first.name, second.name]).toEqual(['InternalServiceError', 'ThrottlingException']);
  });

  it('processes a call and drops the response; the SDK retry with the same token is an idempotent success', async () => {
    const name = uniqueName();
    await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: token(1) }));
    sm.faults.dropAfterProcessing('PutSecretValue');

    const put = await retrying.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token(2) }),
    );

    expect(put).toMatchObject({ VersionId: token(2), VersionStages: ['AWSCURRENT'] });
    expect(put.$metadata.attempts).toBe(2);
    expect(sm.audit.entries({ operation: 'PutSecretValue' }).map((e) => [e.outcome, e.status, e.fault])).toEqual([
      ['dropped-after-processing', 200, 'drop-after-processing'],
      ['ok', 200, undefined],
    ]);
    expect(sm.inspectSecret(name)?.versions.map((v) => v.versionId)).toEqual([token(1), token(2)]);
  });

  it('shows a lost response to a caller that does not retry, although the change happened', async () => {
    const name = uniqueName();
    sm.faults.dropAfterProcessing('CreateSecret');

    const error = await failure(once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' })));

    expect(error.code ?? error.name).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    expect(sm.inspectSecret(name)).toBeDefined();
  });

  it('closes the connection before processing with dropBeforeProcessing: nothing changes', async () => {
    const name = uniqueName();
    sm.faults.dropBeforeProcessing('CreateSecret');

    await failure(once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' })));

    expect(sm.inspectSecret(name)).toBeUndefined();
    expect(sm.audit.entries({ operation: 'CreateSecret' })[0]).toMatchObject({
      outcome: 'dropped-before-processing',
      fault: 'drop-before-processing',
    });
  });

  it('adds latency to the next calls, which a client timeout turns into an error', async () => {
    const name = uniqueName();
    await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const impatient = sm.createClient({ maxAttempts: 1, requestTimeoutMs: 50 });
    sm.faults.addLatency('DescribeSecret', 150, { times: 2 });

    const started = performance.now();
    await once.send(new DescribeSecretCommand({ SecretId: name }));
    const elapsed = performance.now() - started;
    const error = await failure(impatient.send(new DescribeSecretCommand({ SecretId: name })));
    await once.send(new DescribeSecretCommand({ SecretId: name }));
    impatient.destroy();

    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(error.name).toMatch(/Timeout/);
    expect(sm.audit.entries({ operation: 'DescribeSecret' }).map((e) => e.latencyMs)).toContain(undefined);
  });

  it('replays probabilistic faults exactly for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const emulator = await startSecretsManagerEmulator({ seed });
      const client = emulator.createClient({ maxAttempts: 1 });
      emulator.faults.randomly({ rate: 0.3, kind: 'error', ...SimulatedError.throttling });
      emulator.faults.randomly({ rate: 0.2, kind: 'drop-after-processing' });
      const results: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        try {
          await client.send(new ListSecretsCommand({}));
          results.push('ok');
        } catch (error) {
          results.push((error as Error).name === 'ThrottlingException' ? 'throttled' : 'dropped');
        }
      }
      client.destroy();
      await emulator.close();
      return results;
    };

    const first = await outcomes(1234);
    const second = await outcomes(1234);

    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'throttled', 'dropped']));
  });

  it('validates fault parameters', () => {
    expect(() => sm.faults.failNext('GetSecretValue', { times: 0 })).toThrow(InvalidEmulatorOptionError);
    expect(() => sm.faults.randomly({ rate: 1.2, kind: 'drop-before-processing' })).toThrow(InvalidEmulatorOptionError);
    expect(() => sm.faults.addLatency('*', -1)).toThrow(RangeError);
    expect(() => sm.faults.failNext('GetSecretValues')).toThrow(/operation must be one of/);
  });

  it('applies faults to the rotation function’s own calls, so the rotation is retried', async () => {
    const name = uniqueName();
    await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: token(1) }));
    const functionArn = sm.functionArn('fault-rotator');
    sm.registerRotationFunction(functionArn, async (event) => {
      const { SecretId, ClientRequestToken } = event;
      if (event.Step === 'createSecret') {
        await once.send(
          new PutSecretValueCommand({
            SecretId,
            ClientRequestToken,
            SecretString: 'v2',
            VersionStages: ['AWSPENDING'],
          }),
        );
      }
      if (event.Step === 'finishSecret') {
        await once.send(
          new UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: ClientRequestToken,
            RemoveFromVersionId: token(1),
          }),
        );
        await once.send(
          new UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: 'AWSPENDING',
            RemoveFromVersionId: ClientRequestToken,
          }),
        );
      }
    });
    sm.faults.failNext('PutSecretValue');

    await once.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, ClientRequestToken: token(2) }),
    );

    const record = sm.rotations().find((r) => r.secretName === name);
    expect(record?.attempts.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);
    expect(record?.attempts[0]?.steps[0]?.error?.name).toBe('InternalServiceError');
    expect((await once.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(token(2));
  });

  it('answers a RotateSecret retried after a lost response without starting a second rotation', async () => {
    const name = uniqueName();
    await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const functionArn = sm.functionArn('noop-rotator');
    sm.registerRotationFunction(functionArn, async () => {});
    sm.faults.dropAfterProcessing('RotateSecret');

    const response = await retrying.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn }));

    expect(response.$metadata.attempts).toBe(2);
    expect(sm.rotations().filter((r) => r.secretName === name)).toHaveLength(1);
    expect(sm.rotations().find((r) => r.secretName === name)?.clientRequestToken).toBe(response.VersionId);
  });
});

describe('Function: startSecretsManagerEmulator (close)', () => {
  it('closes promptly even with a request in flight, and frees the port', async () => {
    const sm = await startSecretsManagerEmulator();
    const client = sm.createClient({ maxAttempts: 1 });
    sm.faults.addLatency('ListSecrets', 10_000);
    const pending = failure(client.send(new ListSecretsCommand({})));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await sm.close();
    const closeMs = performance.now() - started;
    const error = await pending;
    client.destroy();

    expect(closeMs).toBeLessThan(1_000);
    expect(error.code ?? error.name).toMatch(/ECONNRESET|socket hang up/i);
    const again = await startSecretsManagerEmulator({ port: sm.port });
    expect(again.port).toBe(sm.port);
    await again.close();
  });
});
