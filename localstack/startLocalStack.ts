import { CreateSecretCommand, RotateSecretCommand, type Tag } from '@aws-sdk/client-secrets-manager';
import { createVerifyHandler } from '../lambda/verify.ts';
import { EnvVar, TagKey } from '../lib/constants.ts';
import type { VerificationCursor, VerificationRunSummary } from '../lib/verification/runVerification.ts';
import { type ClerkEmulator, startClerkEmulator } from './clerk/index.ts';
import { type Clock, driveManualClock, ManualClock } from './common/Clock.ts';
import { InvalidEmulatorOptionError } from './common/errors.ts';
import type { AddMachineOptions, LocalMachine, LocalStack, LocalStackOptions } from './LocalStack.ts';
import {
  LOCAL_INSTANCE_KEY_SECRET,
  registerStackRotationFunction,
  type StackRotationFunction,
} from './registerStackRotationFunction.ts';
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from './secretsManager/index.ts';

export type {
  AddMachineOptions,
  FunctionCall,
  LocalMachine,
  LocalStack,
  LocalStackOptions,
  StackRotationHandler,
} from './LocalStack.ts';
export { LOCAL_INSTANCE_KEY_SECRET } from './registerStackRotationFunction.ts';

/** The stack's clock, and what keeps it running `timeScale`× faster (a no-op unless asked). */
const stackClock = (options: LocalStackOptions): { clock: Clock; stop: () => void } => {
  const scale = options.timeScale ?? 1;
  if (options.clock === 'system') {
    if (scale !== 1) throw new InvalidEmulatorOptionError('timeScale', "needs clock: 'manual'");
    return { clock: { now: () => Date.now() }, stop: () => {} };
  }
  const clock = new ManualClock(Date.parse('2026-11-30T09:00:00Z'));
  return { clock, stop: scale === 1 ? () => {} : driveManualClock(clock, scale) };
};

const startEmulators = async (
  options: LocalStackOptions,
  clock: Clock,
): Promise<{ clerk: ClerkEmulator; secretsManager: SecretsManagerEmulator }> => {
  const clerk = await startClerkEmulator({
    port: options.clerkPort ?? 0,
    clock,
    rateLimit: options.rateLimit,
    seed: options.seed,
    ...(options.onClerkExchange === undefined ? {} : { onExchange: options.onClerkExchange }),
  });
  try {
    const secretsManager = await startSecretsManagerEmulator({
      port: options.secretsManagerPort ?? 0,
      clock,
      seed: options.seed,
      rotation: options.rotation,
      rotationMaxAttempts: options.rotationMaxAttempts,
      rotationBackoffMs: options.rotationBackoffMs,
      lambdaTimeoutMs: options.lambdaTimeoutMs,
    });
    return { clerk, secretsManager };
  } catch (error) {
    await clerk.close();
    throw error;
  }
};

interface MachineSetUp {
  readonly clerk: ClerkEmulator;
  readonly secretsManager: SecretsManagerEmulator;
  readonly client: SecretsManager;
  readonly functionArn: string;
  /** Instance id → the secret holding its instance key. */
  readonly instanceSecrets: ReadonlyMap<string, string>;
}

type SecretsManager = LocalStack['client'];

/** A Clerk machine, its secret (tagged with the machine id, and the instance-key secret when not the default one). */
const addMachine = async (
  setUp: MachineSetUp,
  name: string,
  machineOptions: AddMachineOptions,
): Promise<LocalMachine> => {
  const { clerk, client } = setUp;
  const machine = clerk.createMachine({
    name,
    ...(machineOptions.instanceId === undefined ? {} : { instanceId: machineOptions.instanceId }),
  });
  const instanceKeySecretName = setUp.instanceSecrets.get(machine.instanceId);
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
        RotationLambdaARN: setUp.functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: false,
      }),
    );
    // In 'async' mode the test of the new configuration runs in the background; a machine is ready once it ran.
    await setUp.secretsManager.rotationsIdle();
  }
  return { machineId: machine.id, secretName, secretArn: created.ARN ?? secretName, instanceKeySecretName };
};

/** What a shell needs: awscli v1 reads only AWS_DEFAULT_REGION, the SDKs and awscli v2 AWS_REGION. */
const shellEnvironment = (clerk: ClerkEmulator, secretsManager: SecretsManagerEmulator): Record<string, string> => ({
  AWS_REGION: secretsManager.region,
  AWS_DEFAULT_REGION: secretsManager.region,
  AWS_ACCESS_KEY_ID: 'AKIAEMULATOREXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'emulator-secret-access-key',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
  CLERK_API_URL: clerk.url,
  [EnvVar.instanceKeySecretId]: LOCAL_INSTANCE_KEY_SECRET,
});

/** Runs the real verification handler against the stack, continuing in-process when a run hands on. */
async function runStackVerification(
  stack: {
    clerk: ClerkEmulator;
    secretsManager: SecretsManagerEmulator;
    clock: LocalStack['clock'];
    fn: StackRotationFunction;
    options: LocalStackOptions;
  },
  verifyOptions: { readonly env?: Readonly<Record<string, string>> },
): Promise<VerificationRunSummary> {
  const { clock, fn } = stack;
  const client = stack.secretsManager.createClient();
  const cursors: VerificationCursor[] = [];
  const handler = createVerifyHandler({
    secretsManager: client,
    fetch: globalThis.fetch,
    env: { ...fn.environment(), [EnvVar.rotationFunctionArn]: fn.functionArn, ...verifyOptions.env },
    clock,
    // Pacing waits move a manual clock (the stack's time), or really wait on the system clock.
    sleep: async (ms) => {
      if (clock.advance !== undefined) clock.advance(ms);
      else await new Promise((resolve) => setTimeout(resolve, ms));
    },
    writeLog: stack.options.writeLog ?? (() => {}),
    continueRun: async (_, cursor) => {
      cursors.push(cursor);
    },
  });
  const context = { invokedFunctionArn: `${fn.functionArn}-verify`, getRemainingTimeInMillis: () => 900_000 };
  try {
    let verified = 0;
    const counts: Record<string, number> = {};
    for (let event: unknown = {}; event !== undefined; ) {
      const run = await handler(event, context);
      verified += run.verified;
      for (const [key, value] of Object.entries(run.counts)) counts[key] = (counts[key] ?? 0) + value;
      const cursor = cursors.shift();
      event = cursor === undefined ? undefined : { continuation: cursor };
    }
    return { verified, counts };
  } finally {
    client.destroy();
  }
}

/**
 * Both emulators, wired: a Clerk instance whose key sits in a secret, and the real rotation handler (real SDK
 * client, real fetch over HTTP) registered as the rotation function. Used by the demo, the integration, fault and
 * fleet tests, the CLI tests, the bench and `npm run local-stack`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { clock, stop: stopClock } = stackClock(options);
  const { clerk, secretsManager } = await startEmulators(options, clock).catch((error: unknown) => {
    stopClock();
    throw error;
  });
  const client = secretsManager.createClient();
  const fn = registerStackRotationFunction(clerk, secretsManager, clock, options);
  await client.send(
    new CreateSecretCommand({ Name: LOCAL_INSTANCE_KEY_SECRET, SecretString: clerk.defaultInstance.secretKey }),
  );
  const instanceSecrets = new Map<string, string>([[clerk.defaultInstance.id, LOCAL_INSTANCE_KEY_SECRET]]);
  const setUp: MachineSetUp = { clerk, secretsManager, client, functionArn: fn.functionArn, instanceSecrets };
  let machineCount = 0;

  return {
    clerk,
    secretsManager,
    clock,
    functionArn: fn.functionArn,
    instanceKeySecretName: LOCAL_INSTANCE_KEY_SECRET,
    client,
    async addInstance(secretName) {
      const instance = clerk.createInstance();
      await client.send(new CreateSecretCommand({ Name: secretName, SecretString: instance.secretKey }));
      instanceSecrets.set(instance.id, secretName);
      fn.allowInstanceKeySecret(secretName);
      return { instanceId: instance.id, secretName };
    },
    addMachine(machineOptions = {}) {
      machineCount += 1;
      return addMachine(setUp, machineOptions.name ?? `worker-${machineCount}`, machineOptions);
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
    invokeStep: (step, secretArn, token) => fn.invokeStep(step, secretArn, token),
    settled: async () => {
      await Promise.all([clerk.settled(), secretsManager.settled()]);
    },
    environment: () => shellEnvironment(clerk, secretsManager),
    verify: (verifyOptions = {}) => runStackVerification({ clerk, secretsManager, clock, fn, options }, verifyOptions),
    async close() {
      stopClock();
      client.destroy();
      fn.destroy();
      await Promise.all([secretsManager.close(), clerk.close()]);
    },
  };
}
