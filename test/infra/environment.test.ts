import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  ROTATION_ENV_VARS,
  ROTATION_OPTIONAL_ENV_VARS,
  VERIFICATION_ENV_VARS,
} from '../../infra/functionEnvironment.ts';
import { createRotationHandler } from '../../lambda/rotate.ts';
import { EnvVar } from '../../lib/constants.ts';

/** An environment that records every variable read from it. */
function recordingEnvironment(): { env: Record<string, string | undefined>; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  return { env, read };
}

describe('The environment sets of the two functions (infra/functionEnvironment.ts)', () => {
  it('give every EnvVar to at least one function, and nothing that is not an EnvVar', () => {
    const all = new Set<string>([...ROTATION_ENV_VARS, ...ROTATION_OPTIONAL_ENV_VARS, ...VERIFICATION_ENV_VARS]);

    expect([...all].sort()).toEqual(Object.values(EnvVar).sort());
  });

  it('give the rotation function every variable lambda/rotate.ts reads', async () => {
    // Prepare: the real handler; an event it rejects before any AWS or Clerk call
    const { env, read } = recordingEnvironment();
    const handler = createRotationHandler({
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
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
    const rotationVariables = new Set<string>([...ROTATION_ENV_VARS, ...ROTATION_OPTIONAL_ENV_VARS]);
    expect([...read].filter((name) => !rotationVariables.has(name))).toEqual([]);
  });
});
