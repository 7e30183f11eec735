/**
 * One shard of the fleet in a thread of its own: a Secrets Manager emulator with the real rotation function
 * (startLocalStack, real SDK client, real fetch), pointed at the fleet's shared Clerk thread. Started by
 * measureFaultyFleet through startBenchWorker; commands `prepare`, `run`, `close`.
 */
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { EnvVar, Stage, TagKey } from '../../lib/constants.ts';
import type { RotationRecord } from '../../localstack/secretsManager/index.ts';
import { type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';
import { FUNCTION_SECRETS_MANAGER_OPERATIONS } from '../../test/support/functionSecretsManagerOperations.ts';
import { isKeyShaped } from '../../test/support/keyShape.ts';
import { forEachBounded } from '../measureFleet.ts';
import { serveBenchCommands } from '../workers/serveBenchCommands.ts';
import type { FleetMachine } from './clerkFleetWorker.ts';
import { alignStackClock, realNow, type SharedTime } from './sharedTime.ts';

export interface SecretsManagerFaults {
  /** Probability of an InternalServiceError on each of the rotation function's Secrets Manager calls. */
  readonly errorRate: number;
  /** Probability that such a call is processed and its response lost. */
  readonly lostResponseRate: number;
}

export interface ShardPrepare {
  readonly time: SharedTime;
  readonly clerkUrl: string;
  readonly instanceKey: string;
  readonly machines: readonly FleetMachine[];
  /** Rotations in flight at once in this shard. */
  readonly concurrency: number;
  readonly landingHorizonSeconds: number;
  /** Secrets Manager's re-attempts of a failed rotation: how many attempts, and the wait between two (real ms). */
  readonly maxAttempts: number;
  readonly reattemptBackoffRealMs: number;
  readonly faults: SecretsManagerFaults | false;
  readonly seed: number;
}

/** One secret after the run. Plain data: it is copied to the main thread. */
export interface ShardSecretResult {
  readonly machineId: string;
  /** Real epoch ms at which RotateSecret returned. */
  readonly completedAt: number;
  readonly outcome: string;
  readonly attempts: number;
  /** Error names of the failed attempts' failing steps, in order. */
  readonly failedAttemptErrors: readonly string[];
  readonly currentKey: string | undefined;
  /** Keys in any labelled version. */
  readonly storedKeys: readonly string[];
  /** AWSPENDING left on a version that is not AWSCURRENT. */
  readonly pendingLeft: boolean;
}

export interface ShardRunResult {
  readonly secrets: readonly ShardSecretResult[];
  /** Secrets Manager calls during the run (the function's and the RotateSecret calls). */
  readonly awsCalls: number;
  readonly injectedErrors: number;
  readonly lostResponses: number;
  readonly logLines: number;
  /** Log lines holding a key-shaped value: any is a leak. */
  readonly logLinesWithKeys: number;
}

const INSTANCE_KEY_SECRET = 'clerk/fleet-instance-key';

let shard: { stack: LocalStack; options: ShardPrepare; secrets: { machine: FleetMachine; arn: string }[] } | undefined;
const log = { lines: 0, withKeys: 0 };

async function prepare(options: ShardPrepare): Promise<number> {
  const stack = await startLocalStack({
    ...(options.time.scale === undefined
      ? { clock: 'system' as const }
      : { clock: 'manual' as const, timeScale: options.time.scale }),
    rateLimit: false,
    seed: options.seed,
    rotationMaxAttempts: options.maxAttempts,
    rotationBackoffMs: options.reattemptBackoffRealMs,
    functionEnv: {
      [EnvVar.clerkApiUrl]: options.clerkUrl,
      [EnvVar.instanceKeySecretId]: INSTANCE_KEY_SECRET,
      [EnvVar.rotateLandingHorizonSeconds]: String(options.landingHorizonSeconds),
    },
    writeLog: (line) => {
      log.lines += 1;
      if (isKeyShaped(line)) log.withKeys += 1;
    },
  });
  await stack.client.send(new CreateSecretCommand({ Name: INSTANCE_KEY_SECRET, SecretString: options.instanceKey }));
  const secrets: { machine: FleetMachine; arn: string }[] = [];
  for (const machine of options.machines) {
    const created = await stack.client.send(
      new CreateSecretCommand({
        Name: `fleet/${machine.name}`,
        SecretString: JSON.stringify({ machineId: machine.machineId, secretKey: machine.initialKey }),
        Tags: [{ Key: TagKey.machineId, Value: machine.machineId }],
      }),
    );
    secrets.push({ machine, arn: created.ARN ?? `fleet/${machine.name}` });
  }
  alignStackClock(stack.clock, options.time);
  shard = { stack, options, secrets };
  return secrets.length;
}

function armFaults(stack: LocalStack, faults: SecretsManagerFaults | false): void {
  if (faults === false) return;
  for (const match of FUNCTION_SECRETS_MANAGER_OPERATIONS) {
    stack.secretsManager.faults.randomly({ match, rate: faults.errorRate, kind: 'error' });
    stack.secretsManager.faults.randomly({ match, rate: faults.lostResponseRate, kind: 'drop-after-processing' });
  }
}

/** What one secret holds afterwards, read without faults. */
async function readBack(stack: LocalStack, arn: string) {
  const versions = stack.secretsManager.inspectSecret(arn)?.versions ?? [];
  const storedKeys: string[] = [];
  let currentKey: string | undefined;
  for (const version of versions) {
    if (version.stages.length === 0 || !version.hasValue) continue;
    const out = await stack.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: version.versionId }));
    const key = (JSON.parse(out.SecretString ?? '{}') as { secretKey?: string }).secretKey;
    if (key === undefined) continue;
    storedKeys.push(key);
    if (version.stages.includes(Stage.current)) currentKey = key;
  }
  const pendingLeft = versions.some((v) => v.stages.includes(Stage.pending) && !v.stages.includes(Stage.current));
  return { storedKeys, currentKey, pendingLeft };
}

/** Waits for the common start, rotates every secret of the shard (RotateSecret, sync), then reads back. */
async function run(input: { readonly startAt: number }): Promise<ShardRunResult> {
  if (shard === undefined) throw new Error('run before prepare');
  const { stack, options, secrets } = shard;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, input.startAt - realNow())));
  stack.secretsManager.audit.clear();
  armFaults(stack, options.faults);
  const completedAt = new Map<string, number>();
  await forEachBounded(secrets, options.concurrency, async ({ arn }) => {
    await stack.client
      .send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: stack.functionArn, RotateImmediately: true }))
      .catch(() => undefined); // a rejected RotateSecret shows as a rotation that did not succeed
    completedAt.set(arn, realNow());
  });
  stack.secretsManager.faults.clear();
  await stack.settled();
  const audit = stack.secretsManager.audit.entries();
  // The first rotation of each secret is the bench's RotateSecret; a later one was started by the function itself.
  const records = new Map<string, RotationRecord>();
  for (const record of stack.secretsManager.rotations()) {
    if (!records.has(record.secretArn)) records.set(record.secretArn, record);
  }
  const results: ShardSecretResult[] = [];
  for (const { machine, arn } of secrets) {
    const record = records.get(arn);
    const failedAttemptErrors = (record?.attempts ?? [])
      .filter((attempt) => attempt.outcome === 'failed')
      .map((attempt) => attempt.steps.at(-1)?.error?.name ?? 'unknown');
    results.push({
      machineId: machine.machineId,
      completedAt: completedAt.get(arn) ?? Number.NaN,
      outcome: record?.outcome ?? 'never started',
      attempts: record?.attempts.length ?? 0,
      failedAttemptErrors,
      ...(await readBack(stack, arn)),
    });
  }
  return {
    secrets: results,
    awsCalls: audit.length,
    injectedErrors: audit.filter((entry) => entry.fault === 'error').length,
    lostResponses: audit.filter((entry) => entry.fault === 'drop-after-processing').length,
    logLines: log.lines,
    logLinesWithKeys: log.withKeys,
  };
}

serveBenchCommands({
  prepare: (options: ShardPrepare) => prepare(options),
  run: (input: { readonly startAt: number }) => run(input),
  close: async () => {
    await shard?.stack.close();
    shard = undefined;
  },
});
