import {
  CreateSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, type RotationHandlerDeps } from '../lambda/rotate.ts';
import type { Clock } from '../lib/Clock.ts';
import type { RetryOptions } from '../lib/clerk/retryPolicy.ts';
import { EnvVar, TagKey } from '../lib/constants.ts';
import { type ClerkEmulator, type ClerkEmulatorOptions, ManualClock, startClerkEmulator } from './clerk/index.ts';
import {
  type SecretsManagerEmulator,
  type SecretsManagerEmulatorOptions,
  startSecretsManagerEmulator,
} from './secretsManager/index.ts';

export interface LocalStackOptions {
  /** 0 picks free ports; the long-running stack uses fixed ones. */
  readonly clerkPort?: number;
  readonly secretsManagerPort?: number;
  /** 'manual' (default) lets tests and the demo fast-forward through overlaps; 'system' follows real time. */
  readonly clock?: 'manual' | 'system';
  readonly rateLimit?: ClerkEmulatorOptions['rateLimit'];
  /** Records every Clerk exchange on the wire (contract tests). */
  readonly onClerkExchange?: ClerkEmulatorOptions['onExchange'];
  /** Environment of the rotation function, on top of the stack's own (instance-key secret, Clerk URL). */
  readonly functionEnv?: Readonly<Record<string, string>>;
  /** 'sync' (default): RotateSecret answers after the rotation ran; 'async': at once, like AWS. */
  readonly rotation?: SecretsManagerEmulatorOptions['rotation'];
  readonly rotationMaxAttempts?: number;
  readonly rotationBackoffMs?: SecretsManagerEmulatorOptions['rotationBackoffMs'];
  readonly lambdaTimeoutMs?: number;
  readonly seed?: number;
  /** Where the rotation function's JSON log lines go. @default dropped */
  readonly writeLog?: (line: string) => void;
  readonly clerkRetry?: Partial<RetryOptions>;
  /** SDK attempts per call made by the rotation function. @default 3 */
  readonly functionSdkMaxAttempts?: number;
  /** The rotation function's per-request timeout towards Secrets Manager. */
  readonly functionSdkRequestTimeoutMs?: number;
  /** The rotation function's per-request timeout towards Clerk. @default 5000 */
  readonly clerkRequestTimeoutMs?: number;
  /**
   * Runs before each outbound call of the rotation function (after the SDK's own retries are planned, before the
   * request is sent): fault tests arm an emulator fault for exactly that call.
   */
  readonly beforeFunctionCall?: (call: FunctionCall) => void | Promise<void>;
}

/** One outbound call the rotation function is about to make, with the step it makes it in. */
export interface FunctionCall {
  readonly service: 'secretsmanager' | 'clerk';
  /** Secrets Manager's operation name (GetSecretValue) or the Clerk emulator's (getMachineSecretKey). */
  readonly operation: string;
  readonly step: string | undefined;
}

export interface LocalMachine {
  readonly machineId: string;
  readonly secretName: string;
  readonly secretArn: string;
  /** The instance-key secret this machine's rotations use. */
  readonly instanceKeySecretName: string;
}

export interface AddMachineOptions {
  readonly name?: string;
  readonly secretName?: string;
  /** A Clerk instance other than the default one: its key goes into its own secret, named by a tag. */
  readonly instanceId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Enable rotation with the stack's function (RotateSecret, RotateImmediately=false). @default true */
  readonly enableRotation?: boolean;
  readonly extraFields?: Readonly<Record<string, unknown>>;
}

export interface LocalStack {
  readonly clerk: ClerkEmulator;
  readonly secretsManager: SecretsManagerEmulator;
  readonly clock: Clock & { advance?(ms: number): void };
  /** The rotation function's ARN, registered with the Secrets Manager emulator. */
  readonly functionArn: string;
  readonly instanceKeySecretName: string;
  /** A real SDK client for the stack (the caller may use it; the stack destroys it on close). */
  readonly client: SecretsManagerClient;
  addMachine(options?: AddMachineOptions): Promise<LocalMachine>;
  /** A second Clerk instance with its instance key stored in a secret of its own. */
  addInstance(secretName: string): Promise<{ instanceId: string; secretName: string }>;
  /** RotateSecret with RotateImmediately=true; resolves when the emulator's rotation has run (sync mode). */
  rotate(secretId: string, options?: { token?: string }): Promise<void>;
  /** Invokes the rotation function directly, as Secrets Manager does when it re-attempts a rotation. */
  invokeStep(step: string, secretArn: string, token: string): Promise<unknown>;
  /** What a shell needs to point apps and the CLI at this stack. */
  environment(): Record<string, string>;
  close(): Promise<void>;
}

const FUNCTION_NAME = 'clerk-machine-key-rotator';

/** The Clerk emulator's name for a call our client makes. */
function clerkOperationOf(method: string, url: string): string {
  const path = new URL(url).pathname;
  if (path.endsWith('/secret_key/rotate')) return 'rotateMachineSecretKey';
  if (path.endsWith('/secret_key')) return 'getMachineSecretKey';
  if (path.endsWith('/m2m_tokens') && method === 'GET') return 'listM2MTokens';
  return 'unknown';
}
export const LOCAL_INSTANCE_KEY_SECRET = 'clerk/instance-key';

/**
 * Both emulators, wired: a Clerk instance whose key sits in a secret, and the real rotation handler (real SDK
 * client, real fetch over HTTP) registered as the rotation function. Used by the demo, the integration, fault and
 * fleet tests, the CLI tests and `npm run local-stack`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const clock =
    options.clock === 'system' ? { now: () => Date.now() } : new ManualClock(Date.parse('2026-11-30T09:00:00Z'));
  const clerk = await startClerkEmulator({
    port: options.clerkPort ?? 0,
    clock,
    rateLimit: options.rateLimit,
    seed: options.seed,
    ...(options.onClerkExchange === undefined ? {} : { onExchange: options.onClerkExchange }),
  });
  let secretsManager: SecretsManagerEmulator;
  try {
    secretsManager = await startSecretsManagerEmulator({
      port: options.secretsManagerPort ?? 0,
      clock,
      seed: options.seed,
      rotation: options.rotation,
      rotationMaxAttempts: options.rotationMaxAttempts,
      rotationBackoffMs: options.rotationBackoffMs,
      lambdaTimeoutMs: options.lambdaTimeoutMs,
    });
  } catch (error) {
    await clerk.close();
    throw error;
  }

  const client = secretsManager.createClient();
  const functionClient = secretsManager.createClient({
    maxAttempts: options.functionSdkMaxAttempts ?? 3,
    requestTimeoutMs: options.functionSdkRequestTimeoutMs,
  });
  const functionArn = secretsManager.functionArn(FUNCTION_NAME);
  let activeStep: string | undefined;
  const hook = options.beforeFunctionCall;
  if (hook) {
    functionClient.middlewareStack.add(
      (next, context) => async (args) => {
        await hook({
          service: 'secretsmanager',
          operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          step: activeStep,
        });
        return next(args);
      },
      { step: 'initialize', name: 'localStackBeforeFunctionCall' },
    );
  }
  const functionFetch: typeof fetch = hook
    ? async (input, init) => {
        await hook({
          service: 'clerk',
          operation: clerkOperationOf(init?.method ?? 'GET', String(input)),
          step: activeStep,
        });
        return globalThis.fetch(input, init);
      }
    : globalThis.fetch;
  // Mutable: addInstance() adds each new instance-key secret to the allowlist, as the construct's addMachine does.
  const functionEnv: Record<string, string | undefined> = {
    [EnvVar.instanceKeySecretId]: LOCAL_INSTANCE_KEY_SECRET,
    [EnvVar.clerkApiUrl]: clerk.url,
    ...options.functionEnv,
  };
  const deps: RotationHandlerDeps = {
    secretsManager: functionClient,
    fetch: functionFetch,
    env: functionEnv,
    clock,
    writeLog: options.writeLog ?? (() => {}),
    clerkRetry: options.clerkRetry,
    ...(options.clerkRequestTimeoutMs === undefined ? {} : { clerkRequestTimeoutMs: options.clerkRequestTimeoutMs }),
  };
  const handler = createRotationHandler(deps);
  secretsManager.registerRotationFunction(functionArn, async (event, context) => {
    activeStep = event.Step;
    try {
      return await handler(event, context);
    } finally {
      activeStep = undefined;
    }
  });

  await client.send(
    new CreateSecretCommand({ Name: LOCAL_INSTANCE_KEY_SECRET, SecretString: clerk.defaultInstance.secretKey }),
  );

  const instanceSecrets = new Map<string, string>([[clerk.defaultInstance.id, LOCAL_INSTANCE_KEY_SECRET]]);
  let machineCount = 0;

  const stack: LocalStack = {
    clerk,
    secretsManager,
    clock,
    functionArn,
    instanceKeySecretName: LOCAL_INSTANCE_KEY_SECRET,
    client,

    async addInstance(secretName) {
      const instance = clerk.createInstance();
      await client.send(new CreateSecretCommand({ Name: secretName, SecretString: instance.secretKey }));
      instanceSecrets.set(instance.id, secretName);
      const allowed = functionEnv[EnvVar.allowedInstanceKeySecretIds];
      functionEnv[EnvVar.allowedInstanceKeySecretIds] = allowed ? `${allowed},${secretName}` : secretName;
      return { instanceId: instance.id, secretName };
    },

    async addMachine(machineOptions = {}) {
      machineCount += 1;
      const machine = clerk.createMachine({
        name: machineOptions.name ?? `worker-${machineCount}`,
        ...(machineOptions.instanceId === undefined ? {} : { instanceId: machineOptions.instanceId }),
      });
      const instanceKeySecretName = instanceSecrets.get(machine.instanceId);
      if (instanceKeySecretName === undefined) {
        throw new Error(`instance ${machine.instanceId} has no instance-key secret; create it with addInstance()`);
      }
      const tags: Record<string, string> = { [TagKey.machineId]: machine.id, ...machineOptions.tags };
      if (instanceKeySecretName !== LOCAL_INSTANCE_KEY_SECRET) tags[TagKey.instanceKeySecretId] = instanceKeySecretName;
      const secretName = machineOptions.secretName ?? `clerk/machines/${machine.name}`;
      const created = await client.send(
        new CreateSecretCommand({
          Name: secretName,
          SecretString: JSON.stringify({
            ...machineOptions.extraFields,
            machineId: machine.id,
            secretKey: machine.secretKey,
          }),
          Tags: Object.entries(tags).map(([Key, Value]): Tag => ({ Key, Value })),
        }),
      );
      if (machineOptions.enableRotation !== false) {
        await client.send(
          new RotateSecretCommand({
            SecretId: secretName,
            RotationLambdaARN: functionArn,
            RotationRules: { AutomaticallyAfterDays: 30 },
            RotateImmediately: false,
          }),
        );
        // In 'async' mode the test of the new configuration runs in the background; a machine is ready once it ran.
        await secretsManager.rotationsIdle();
      }
      return { machineId: machine.id, secretName, secretArn: created.ARN ?? secretName, instanceKeySecretName };
    },

    async rotate(secretId, rotateOptions = {}) {
      await client.send(
        new RotateSecretCommand({
          SecretId: secretId,
          RotateImmediately: true,
          ...(rotateOptions.token === undefined ? {} : { ClientRequestToken: rotateOptions.token }),
        }),
      );
    },

    invokeStep(step, secretArn, token) {
      activeStep = step;
      const context = {
        invokedFunctionArn: functionArn,
        getRemainingTimeInMillis: () => options.lambdaTimeoutMs ?? 60_000,
      };
      return handler({ Step: step, SecretId: secretArn, ClientRequestToken: token }, context).finally(() => {
        activeStep = undefined;
      });
    },

    environment() {
      return {
        AWS_REGION: secretsManager.region,
        AWS_ACCESS_KEY_ID: 'AKIAEMULATOREXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'emulator-secret-access-key',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
        CLERK_API_URL: clerk.url,
        [EnvVar.instanceKeySecretId]: LOCAL_INSTANCE_KEY_SECRET,
      };
    },

    async close() {
      client.destroy();
      functionClient.destroy();
      await Promise.all([secretsManager.close(), clerk.close()]);
    },
  };
  return stack;
}
