/**
 * The rotation function loads @aws-sdk/client-lambda only when ROTATION_NOTIFY_FUNCTION_ARNS is set, so that a
 * function without notifications never pays for it at cold start (bench/measureNotifyColdInit.ts measures the cost).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { createRotationHandler } from '../../lambda/rotate.ts';
import { EnvVar, ErrorCode } from '../../lib/index.ts';

const loaded = vi.hoisted(() => ({ lambdaClient: 0 }));
vi.mock(import('@aws-sdk/client-lambda'), async (importOriginal) => {
  loaded.lambdaClient += 1;
  return importOriginal();
});

const CONTEXT = {
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotator',
  getRemainingTimeInMillis: () => 60_000,
};
const CONSUMER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:consumer';

function handlerWith(env: Record<string, string>) {
  return createRotationHandler({
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    fetch: () => Promise.reject(new Error('no network in this test')),
    env: { [EnvVar.instanceKeySecretId]: 'clerk/instance-key', ...env },
    writeLog: () => {},
  });
}

describe('Function: createRotationHandler — the Lambda client on demand', () => {
  it('loads @aws-sdk/client-lambda only once ROTATION_NOTIFY_FUNCTION_ARNS names a function', async () => {
    // Act: an empty event is refused after the handler's setup and before any call.
    const withoutNotify = await handlerWith({})({}, CONTEXT).catch((error: { code?: string }) => error.code);
    const loadedWithout = loaded.lambdaClient;
    const withNotify = await handlerWith({ [EnvVar.notifyFunctionArns]: CONSUMER_ARN })({}, CONTEXT).catch(
      (error: { code?: string }) => error.code,
    );

    // Assess
    expect(withoutNotify).toBe(ErrorCode.eventInvalid);
    expect(loadedWithout).toBe(0);
    expect(withNotify).toBe(ErrorCode.eventInvalid);
    expect(loaded.lambdaClient).toBe(1);
  });
});
