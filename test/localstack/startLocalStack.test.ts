import { afterEach, describe, expect, it } from 'vitest';
import { InvalidEmulatorOptionError } from '../../localstack/clerk/index.ts';
import { type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';

const stacks: LocalStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

const start = async (options: Parameters<typeof startLocalStack>[0]): Promise<LocalStack> => {
  const stack = await startLocalStack(options);
  stacks.push(stack);
  return stack;
};

describe('Function: startLocalStack', () => {
  it('wrapHandler wraps every step the emulator invokes, and invokeStep too', async () => {
    // Prepare
    const seen: string[] = [];
    const stack = await start({
      rateLimit: false,
      wrapHandler: (handler) => async (event, context) => {
        const outcome = await handler(event, context);
        seen.push(`${event.Step}:${outcome.outcome}`);
        return outcome;
      },
    });
    const machine = await stack.addMachine();
    const whileEnabling = seen.splice(0);
    // Act
    await stack.rotate(machine.secretName, { token: '00000001-0000-4000-8000-0000000057ac' });
    await stack.invokeStep('finishSecret', machine.secretArn, '00000001-0000-4000-8000-0000000057ac');
    // Assess
    expect(whileEnabling.map((s) => s.split(':')[0])).toEqual(['testSecret']);
    expect([...whileEnabling, ...seen].every((s) => /^\w+:\w+/.test(s))).toBe(true);
    expect(seen.map((s) => s.split(':')[0])).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
      'finishSecret',
    ]);
    expect(stack.secretsManager.rotations().at(-1)?.outcome).toBe('succeeded');
  });

  it("timeScale runs the stack's clock and the function's Retry-After waits that many times faster", async () => {
    // Prepare: Clerk answers the first read with 429 and Retry-After: 2 s
    const stack = await start({ rateLimit: false, timeScale: 20 });
    const machine = await stack.addMachine();
    stack.clerk.faults.failNext('getMachineSecretKey', { status: 429, retryAfterSeconds: 2 });
    const clockBefore = stack.clock.now();
    const started = performance.now();
    // Act
    await stack.rotate(machine.secretName);
    const realMs = performance.now() - started;
    const clockMs = stack.clock.now() - clockBefore;
    // Assess: rotated after honouring the 429, in well under the 2 real seconds an unscaled wait takes
    expect(stack.secretsManager.rotations().at(-1)?.outcome).toBe('succeeded');
    expect(stack.clerk.audit.count({ status: 429 })).toBe(1);
    expect(realMs).toBeLessThan(2_000);
    expect(clockMs).toBeGreaterThanOrEqual(2_000);
    expect(clockMs).toBeGreaterThan(realMs * 5);
  });

  it('refuses a timeScale on the system clock, or one that is not a positive number', async () => {
    await expect(startLocalStack({ clock: 'system', timeScale: 10 })).rejects.toThrow(InvalidEmulatorOptionError);
    await expect(startLocalStack({ timeScale: 0 })).rejects.toThrow(/timeScale must be a positive number, got 0/);
  });

  it('settled() waits for both emulators, and environment() names the region for awscli v1 too', async () => {
    const stack = await start({ rateLimit: false });
    const machine = await stack.addMachine({ enableRotation: false });
    stack.clerk.faults.landLate('rotateMachineSecretKey', { afterMs: 300 });
    const response = await fetch(`${stack.clerk.url}/machines/${machine.machineId}/secret_key/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.clerk.defaultInstance.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ previous_token_ttl: 0 }),
      signal: AbortSignal.timeout(100),
    }).catch((error: unknown) => error);

    await stack.settled();

    expect(response).toBeInstanceOf(Error);
    expect(stack.clerk.rotationsFor(machine.machineId)).toHaveLength(1);
    const env = stack.environment();
    expect(env.AWS_DEFAULT_REGION).toBe(env.AWS_REGION);
    expect(env.AWS_REGION).toBe(stack.secretsManager.region);
  });
});
