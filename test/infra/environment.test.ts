import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  ROTATION_ENV_VARS,
  ROTATION_OPTIONAL_ENV_VARS,
  VERIFICATION_ENV_VARS,
} from '../../infra/functionEnvironment.ts';
import { createRotationHandler } from '../../lambda/rotate.ts';
import { EnvVar } from '../../lib/constants.ts';

const VERIFY_ENTRY = join(import.meta.dirname, '../../lambda/verify.ts');
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:f';
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => 60_000, awsRequestId: 'r' };

/** Valid values, so that a handler reads on past each variable instead of failing at the first. */
const SAMPLE_VALUES: Record<string, string> = {
  [EnvVar.instanceKeySecretId]: 'clerk/instance-secret-key',
  [EnvVar.allowedInstanceKeySecretIds]: 'clerk/instance-secret-key',
  [EnvVar.rotationFunctionArn]: FUNCTION_ARN,
  [EnvVar.clerkRateLimitPer10Seconds]: '100',
  [EnvVar.verifyClerkRateShare]: '0.1',
  [EnvVar.pendingStuckAfterSeconds]: '3600',
  [EnvVar.rotateLandingHorizonSeconds]: '600',
  [EnvVar.verifyHeal]: 'true',
};

/** Set by Lambda itself in every function, never by the construct (the metric dimension reads it). */
const LAMBDA_RUNTIME_VARS = new Set(['AWS_LAMBDA_FUNCTION_NAME']);

/** An environment that records every variable read from it, except those Lambda sets itself. */
function recordingEnvironment(): { env: Record<string, string | undefined>; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key !== 'string') return undefined;
      if (!LAMBDA_RUNTIME_VARS.has(key)) read.add(key);
      return SAMPLE_VALUES[key];
    },
  });
  return { env, read };
}

/** A client whose every call fails at once: the handlers stop at their first AWS call, after reading settings. */
function offlineSecretsManager(): SecretsManagerClient {
  return new SecretsManagerClient({
    region: 'eu-west-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    requestHandler: { handle: () => Promise.reject(new Error('no network in this test')) },
  });
}

describe('The environment sets of the two functions (infra/functionEnvironment.ts)', () => {
  it('give every EnvVar to at least one function, and nothing that is not an EnvVar', () => {
    const all = new Set<string>([...ROTATION_ENV_VARS, ...ROTATION_OPTIONAL_ENV_VARS, ...VERIFICATION_ENV_VARS]);

    expect([...all].sort()).toEqual(Object.values(EnvVar).sort());
  });

  // Every variable it reads is set; until this branch meets the landing-horizon and allowlist work of lambda/rotate.ts
  // the handler reads fewer than the construct sets (ROTATE_LANDING_HORIZON_SECONDS, ALLOWED_INSTANCE_KEY_SECRET_IDS).
  it('give the rotation function every variable lambda/rotate.ts reads', async () => {
    // Prepare: the real handler; an event it rejects before any AWS or Clerk call
    const { env, read } = recordingEnvironment();
    const handler = createRotationHandler({
      secretsManager: offlineSecretsManager(),
      fetch: () => Promise.reject(new Error('no network in this test')),
      env,
      writeLog: () => {},
    });

    // Act
    await expect(
      handler(
        {},
        {
          invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:f',
          getRemainingTimeInMillis: () => 60_000,
        },
      ),
    ).rejects.toThrow();

    // Assess
    expect(read.size).toBeGreaterThan(0);
    expect([...read].sort()).toEqual([...ROTATION_ENV_VARS, ...ROTATION_OPTIONAL_ENV_VARS].sort());
  });

  it('give the verification function exactly the variables lambda/verify.ts reads', async () => {
    // Prepare: the real handler, scheduled-event shaped input, no AWS reachable
    const { env, read } = recordingEnvironment();
    const { createVerifyHandler } = await import(pathToFileURL(VERIFY_ENTRY).href);
    const handler = createVerifyHandler({
      secretsManager: offlineSecretsManager(),
      fetch: () => Promise.reject(new Error('no network in this test')),
      env,
      writeLog: () => {},
    });

    // Act
    await expect(handler({ source: 'aws.events' }, CONTEXT)).rejects.toThrow();

    // Assess
    expect([...read].sort()).toEqual([...VERIFICATION_ENV_VARS].sort());
  });
});
