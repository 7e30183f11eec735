import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, type SecretsManagerRotationEvent } from '../lambda/rotate.ts';
import { type Clock, realSleep } from '../lib/Clock.ts';
import { defaultRetryOptions } from '../lib/clerk/retryPolicy.ts';
import { EnvVar } from '../lib/constants.ts';
import type { ClerkEmulator } from './clerk/index.ts';
import type { FunctionCall, LocalStackOptions, StackRotationHandler } from './LocalStack.ts';
import type { SecretsManagerEmulator } from './secretsManager/index.ts';

export const LOCAL_INSTANCE_KEY_SECRET = 'clerk/instance-key';
const FUNCTION_NAME = 'clerk-machine-key-rotator';

/** The Clerk emulator's name for a call our client makes. */
const clerkOperationOf = (method: string, url: string): string => {
  const path = new URL(url).pathname;
  if (path.endsWith('/secret_key/rotate')) return 'rotateMachineSecretKey';
  if (path.endsWith('/secret_key')) return 'getMachineSecretKey';
  if (path.endsWith('/m2m_tokens') && method === 'GET') return 'listM2MTokens';
  return 'unknown';
};

/** The function's Secrets Manager client and fetch, with `beforeFunctionCall` run before each request leaves. */
const hookedTransports = (
  client: SecretsManagerClient,
  hook: LocalStackOptions['beforeFunctionCall'],
  activeStep: () => string | undefined,
): typeof fetch => {
  if (hook === undefined) return globalThis.fetch;
  const announce = (call: Omit<FunctionCall, 'step'>) => hook({ ...call, step: activeStep() });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      await announce({
        service: 'secretsmanager',
        operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
      });
      return next(args);
    },
    { step: 'initialize', name: 'localStackBeforeFunctionCall' },
  );
  return async (input, init) => {
    await announce({ service: 'clerk', operation: clerkOperationOf(init?.method ?? 'GET', String(input)) });
    return globalThis.fetch(input, init);
  };
};

/** Waits and Clerk retry backoff `timeScale`× shorter, so the function keeps pace with a clock driven that much faster. */
const scaledTiming = (options: LocalStackOptions) => {
  const scale = options.timeScale ?? 1;
  if (scale === 1) return { sleep: undefined, clerkRetry: options.clerkRetry };
  return {
    sleep: (ms: number) => realSleep(ms / scale),
    clerkRetry: {
      minTimeoutMs: defaultRetryOptions.minTimeoutMs / scale,
      maxTimeoutMs: defaultRetryOptions.maxTimeoutMs / scale,
      ...options.clerkRetry,
    },
  };
};

export interface StackRotationFunction {
  readonly functionArn: string;
  /** Invokes the registered (wrapped) handler directly, as Secrets Manager does when it re-attempts a rotation. */
  invokeStep(step: string, secretArn: string, token: string): Promise<unknown>;
  /** Adds an instance-key secret to the function's ALLOWED_INSTANCE_KEY_SECRET_IDS. */
  allowInstanceKeySecret(secretName: string): void;
  /** The rotation function's environment as it stands (the verification reads the same settings). */
  environment(): Readonly<Record<string, string | undefined>>;
  /** Destroys the function's own SDK client. */
  destroy(): void;
}

/**
 * Registers the real rotation handler (real SDK client, real fetch over HTTP) with the Secrets Manager emulator,
 * configured for the stack's Clerk emulator and instance-key secret, wrapped as the caller asks.
 */
export const registerStackRotationFunction = (
  clerk: ClerkEmulator,
  secretsManager: SecretsManagerEmulator,
  clock: Clock,
  options: LocalStackOptions,
): StackRotationFunction => {
  const client = secretsManager.createClient({
    maxAttempts: options.functionSdkMaxAttempts ?? 3,
    requestTimeoutMs: options.functionSdkRequestTimeoutMs,
  });
  const functionArn = secretsManager.functionArn(FUNCTION_NAME);
  let activeStep: string | undefined;
  const { sleep, clerkRetry } = scaledTiming(options);
  // Mutable: each instance-key secret the stack adds joins the allowlist, as the construct's addMachine does.
  const env: Record<string, string | undefined> = {
    [EnvVar.instanceKeySecretId]: LOCAL_INSTANCE_KEY_SECRET,
    [EnvVar.clerkApiUrl]: clerk.url,
    ...options.functionEnv,
  };
  const handler: StackRotationHandler = createRotationHandler({
    secretsManager: client,
    fetch: hookedTransports(client, options.beforeFunctionCall, () => activeStep),
    env,
    clock,
    writeLog: options.writeLog ?? (() => {}),
    clerkRetry,
    ...(sleep === undefined ? {} : { sleep }),
    ...(options.clerkRequestTimeoutMs === undefined ? {} : { clerkRequestTimeoutMs: options.clerkRequestTimeoutMs }),
  });
  const wrapped = options.wrapHandler?.(handler) ?? handler;
  const invoke: StackRotationHandler = async (event, context) => {
    activeStep = event.Step;
    try {
      return await wrapped(event, context);
    } finally {
      activeStep = undefined;
    }
  };
  secretsManager.registerRotationFunction(functionArn, invoke);
  return {
    functionArn,
    invokeStep: (step, secretArn, token) =>
      invoke(
        { Step: step as SecretsManagerRotationEvent['Step'], SecretId: secretArn, ClientRequestToken: token },
        { invokedFunctionArn: functionArn, getRemainingTimeInMillis: () => options.lambdaTimeoutMs ?? 60_000 },
      ),
    allowInstanceKeySecret: (secretName) => {
      const allowed = env[EnvVar.allowedInstanceKeySecretIds];
      env[EnvVar.allowedInstanceKeySecretIds] = allowed ? `${allowed},${secretName}` : secretName;
    },
    environment: () => ({ ...env }),
    destroy: () => client.destroy(),
  };
};
