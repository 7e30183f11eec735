import type { Context } from 'aws-lambda';
import { createRotationHandler, type SecretsManagerRotationEvent } from '../lambda/rotate.ts';
import type { Sleep } from '../lib/Clock.ts';
import type { RetryOptions } from '../lib/clerk/retryPolicy.ts';
import { EnvVar } from '../lib/constants.ts';
import type { StepOutcome } from '../lib/core/RotationContext.ts';
import type { LocalStack } from '../localstack/startLocalStack.ts';

export interface BenchHandlerOptions {
  /** How the handler waits for a Clerk `Retry-After`. @default real time */
  readonly sleep?: Sleep;
  readonly clerkRetry?: Partial<RetryOptions>;
  /** Runs around every step invocation, e.g. to attribute the emulators' audit entries to the step. */
  readonly aroundStep?: (step: string, invoke: () => Promise<StepOutcome>) => Promise<StepOutcome>;
}

/**
 * Replaces the local stack's rotation function with the real handler wired exactly as startLocalStack wires it
 * (same Secrets Manager emulator, same Clerk URL and instance-key secret, SDK maxAttempts 3, system fetch, the
 * stack's clock), plus the bench's hooks. startLocalStack builds its handler internally and offers no way to wrap
 * it, hence the re-registration. Returns a function that unregisters it and destroys its client.
 */
export function registerBenchHandler(stack: LocalStack, options: BenchHandlerOptions = {}): () => void {
  const secretsManager = stack.secretsManager.createClient({ maxAttempts: 3 });
  const handler = createRotationHandler({
    secretsManager,
    fetch: globalThis.fetch,
    env: { [EnvVar.instanceKeySecretId]: stack.instanceKeySecretName, [EnvVar.clerkApiUrl]: stack.clerk.url },
    clock: stack.clock,
    writeLog: () => {},
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.clerkRetry === undefined ? {} : { clerkRetry: options.clerkRetry }),
  });
  const aroundStep = options.aroundStep ?? ((_step, invoke) => invoke());
  const unregister = stack.secretsManager.registerRotationFunction(
    stack.functionArn,
    (event: SecretsManagerRotationEvent, context: Context) => aroundStep(event.Step, () => handler(event, context)),
  );
  return () => {
    unregister();
    secretsManager.destroy();
  };
}
