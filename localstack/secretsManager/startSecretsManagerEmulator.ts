import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Clock, createSystemClock } from '../common/Clock.ts';
import { createSeededRandom, randomSeed } from '../common/seededRandom.ts';
import { startEmulatorServer } from '../common/startEmulatorServer.ts';
import { AuditLog } from './AuditLog.ts';
import { createSecretsManagerClient, type EmulatorClientOptions } from './createSecretsManagerClient.ts';
import { createSecretsManagerRequestHandler, type OperationHandler } from './createSecretsManagerRequestHandler.ts';
import { InvalidEmulatorOptionError } from './errors.ts';
import { FaultInjector } from './FaultInjector.ts';
import {
  type RegisterRotationFunctionOptions,
  type RotationFunctionHandler,
  RotationFunctionRegistry,
} from './RotationFunctionRegistry.ts';
import { RotationLog, type RotationRecord, type StepInvocation } from './RotationLog.ts';
import { RotationDriver } from './rotationDriver.ts';
import { cancelRotateSecret, type RotationDeps, type RotationExecution, rotateSecret } from './rotationOperations.ts';
import type { SecretRecord } from './SecretRecord.ts';
import { SecretsState } from './SecretsState.ts';
import {
  createSecret,
  deleteSecret,
  describeSecret,
  listSecrets,
  restoreSecret,
  tagResource,
  untagResource,
  updateSecret,
} from './secretOperations.ts';
import type { SecretsManagerOperation } from './secretsManagerOperations.ts';
import { getSecretValue, listSecretVersionIds, putSecretValue, updateSecretVersionStage } from './versionOperations.ts';

export interface SecretsManagerEmulatorOptions {
  /** @default 0 (an ephemeral port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Dates the API reports (CreatedDate, LastRotatedDate, DeletedDate…) and deletion windows. @default system clock */
  readonly clock?: Clock;
  /** Real time for Lambda timeouts and `getRemainingTimeInMillis()`. @default system clock */
  readonly wallClock?: Clock;
  /** Seeds ARN suffixes, generated ids and probabilistic faults. @default a random seed */
  readonly seed?: number;
  /** Whether RotateSecret answers after the rotation has run (`sync`) or at once (`async`). @default 'sync' */
  readonly rotation?: RotationExecution;
  /** Attempts of a failing rotation, each from createSecret with the same token. @default 3 */
  readonly rotationMaxAttempts?: number;
  /** Wait between rotation attempts, fixed or per failed attempt number. @default 0 */
  readonly rotationBackoffMs?: number | ((failedAttempt: number) => number);
  /** Lambda timeout for one step of a rotation function. @default 60_000 */
  readonly lambdaTimeoutMs?: number;
  /** How the emulator waits (injected latency, late landings, rotation backoff). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A secret's shape for assertions: versions, labels and flags, never values. */
export interface SecretSnapshot {
  readonly arn: string;
  readonly name: string;
  readonly deletionDate: number | undefined;
  readonly rotationEnabled: boolean | undefined;
  readonly rotationLambdaArn: string | undefined;
  readonly lastRotatedAt: number | undefined;
  readonly nextRotationAt: number | undefined;
  readonly versions: readonly {
    readonly versionId: string;
    readonly stages: readonly string[];
    readonly hasValue: boolean;
    readonly createdAt: number;
  }[];
}

export interface SecretsManagerEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /**
   * Fault injection, the same API as the Clerk emulator's: failNext, respondWith, dropBeforeProcessing,
   * dropAfterProcessing, addLatency, landLate, answerNowProcessLater, randomly, clear.
   */
  readonly faults: FaultInjector;
  /** Every API call: operation, SecretId, status, outcome, error name, fault, when processed; never values. */
  readonly audit: AuditLog;
  /**
   * Makes `handler` invocable as the Lambda function `arn` (unqualified). Returns an unregister function.
   * RotateSecret with an ARN nobody registered fails with AccessDeniedException, like an un-invocable function.
   */
  registerRotationFunction(
    arn: string,
    handler: RotationFunctionHandler,
    options?: RegisterRotationFunctionOptions,
  ): () => void;
  /** `arn:aws:lambda:<region>:<account>:function:<name>` in the emulator's region and account. */
  functionArn(name: string): string;
  /** Every rotation so far (copies): attempts, steps, outcomes, errors. */
  rotations(): RotationRecord[];
  /** Every step invocation, flattened. */
  stepInvocations(): StepInvocation[];
  /** Resolves when no rotation is running (use with `rotation: 'async'`). */
  rotationsIdle(): Promise<void>;
  /**
   * Resolves once every request received so far (and any received meanwhile) has been processed or dropped, and
   * recorded: "once everything has landed", including late landings and calls answered before processing.
   */
  settled(): Promise<void>;
  /** Versions and labels of a secret (by name or ARN), or `undefined`. */
  inspectSecret(secretId: string): SecretSnapshot | undefined;
  /** A real SDK client pointed at this emulator. The caller destroys it. */
  createClient(options?: EmulatorClientOptions): SecretsManagerClient;
  /**
   * Stops listening, closes every socket at once, stops rotations after their current step and abandons calls still
   * waiting to be processed.
   */
  close(): Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

const checkPositiveInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidEmulatorOptionError(name, `must be a positive integer, got ${value}`);
  }
  return value;
};

/** Every implemented operation, bound to the emulator's state and rotation machinery. */
const operationTable = (
  state: SecretsState,
  rotation: RotationDeps,
): Record<SecretsManagerOperation, OperationHandler> => ({
  CreateSecret: (input) => createSecret(state, input),
  DescribeSecret: (input) => describeSecret(state, input),
  GetSecretValue: (input) => getSecretValue(state, input),
  PutSecretValue: (input) => putSecretValue(state, input),
  UpdateSecret: (input) => updateSecret(state, input),
  UpdateSecretVersionStage: (input) => updateSecretVersionStage(state, input),
  ListSecretVersionIds: (input) => listSecretVersionIds(state, input),
  ListSecrets: (input) => listSecrets(state, input),
  DeleteSecret: (input) => deleteSecret(state, input, { onForceDeleted: (secret) => rotation.driver.cancel(secret) }),
  RestoreSecret: (input) => restoreSecret(state, input),
  TagResource: (input) => tagResource(state, input),
  UntagResource: (input) => untagResource(state, input),
  RotateSecret: (input) => rotateSecret(rotation, input),
  CancelRotateSecret: (input) => cancelRotateSecret(rotation, input),
});

/** A secret's versions and labels for assertions; never a value. */
const snapshotOf = (secret: SecretRecord): SecretSnapshot => ({
  arn: secret.arn,
  name: secret.name,
  deletionDate: secret.deletionDate,
  rotationEnabled: secret.rotation?.enabled,
  rotationLambdaArn: secret.rotation?.lambdaArn,
  lastRotatedAt: secret.lastRotatedAt,
  nextRotationAt: secret.nextRotationAt,
  versions: [...secret.versions.values()].map((version) => ({
    versionId: version.versionId,
    stages: [...version.stages],
    hasValue: version.value !== undefined,
    createdAt: version.createdAt,
  })),
});

/**
 * Starts a Secrets Manager emulator on 127.0.0.1 speaking the AWS JSON 1.1 protocol of
 * `@aws-sdk/client-secrets-manager`, with in-process rotation functions, an audit log and fault injection.
 */
export const startSecretsManagerEmulator = async (
  options: SecretsManagerEmulatorOptions = {},
): Promise<SecretsManagerEmulator> => {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const clock = options.clock ?? createSystemClock();
  const wallClock = options.wallClock ?? createSystemClock();
  const random = createSeededRandom(options.seed ?? randomSeed());
  const sleep = options.sleep ?? defaultSleep;
  const backoff = options.rotationBackoffMs ?? 0;
  const lambdaTimeoutMs = options.lambdaTimeoutMs ?? 60_000;
  if (!(lambdaTimeoutMs > 0)) {
    throw new InvalidEmulatorOptionError('lambdaTimeoutMs', `must be positive, got ${lambdaTimeoutMs}`);
  }

  const state = new SecretsState({ clock, random, region, accountId });
  const audit = new AuditLog();
  // Faults draw from their own stream so adding a fault does not change generated ids, and vice versa.
  const faults = new FaultInjector(createSeededRandom(Math.floor(random() * 2 ** 32)));
  const functions = new RotationFunctionRegistry();
  const log = new RotationLog();
  const driver = new RotationDriver({
    state,
    log,
    retry: {
      maxAttempts: checkPositiveInteger('rotationMaxAttempts', options.rotationMaxAttempts ?? 3),
      backoffMs: typeof backoff === 'number' ? () => backoff : backoff,
    },
    lambdaTimeoutMs,
    wallClock,
    sleep,
  });
  const rotationDeps: RotationDeps = { state, driver, functions, log, execution: options.rotation ?? 'sync' };

  const server = await startEmulatorServer(options.port ?? 0, (closing) =>
    createSecretsManagerRequestHandler({
      operations: operationTable(state, rotationDeps),
      faults,
      audit,
      clock,
      random,
      sleep,
      closing,
    }),
  );
  const { port } = server;
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    port,
    region,
    accountId,
    faults,
    audit,
    registerRotationFunction: (arn, handler, registerOptions) => functions.register(arn, handler, registerOptions),
    functionArn: (name) => `arn:aws:lambda:${region}:${accountId}:function:${name}`,
    rotations: () => log.rotations(),
    stepInvocations: () => log.stepInvocations(),
    rotationsIdle: () => driver.idle(),
    settled: () => server.settled(),
    inspectSecret: (secretId) => {
      const secret = state.find(secretId);
      return secret === undefined ? undefined : snapshotOf(secret);
    },
    createClient: (clientOptions) => createSecretsManagerClient(endpoint, { region, ...clientOptions }),
    close: async () => {
      driver.cancelAll();
      await server.close();
    },
  };
};
