/**
 * Integration: the examples against the local stack — the Clerk emulator, the Secrets Manager emulator and the real
 * rotation handler (lambda/rotate.ts) registered with it. M2M calls run continuously while machine keys are rotated
 * for real; not one call may fail, and no key may appear in any log line.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../examples/http-service/server.ts';
import { createConsumer } from '../../examples/lambda-consumer/handler.ts';
import { createRotationHandler } from '../../lambda/rotate.ts';
import { systemClock } from '../../lib/Clock.ts';
import { EnvVar, Stage, TagKey } from '../../lib/constants.ts';
import { createJsonLogger } from '../../lib/Logger.ts';
import { MACHINE_KEY_ROTATED } from '../../lib/MachineKeyRotatedEvent.ts';
import { createRotationNotifier } from '../../lib/notify/createRotationNotifier.ts';
import { createMachineKeyProvider } from '../../lib/reader/createMachineKeyProvider.ts';
import { type ClerkEmulator, type EmulatedMachine, startClerkEmulator } from '../../localstack/clerk/index.ts';
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '../../localstack/secretsManager/index.ts';
import { expectNoKeyLeak } from '../support/readerFixtures.ts';

const INSTANCE_SECRET = 'clerk/instance-key';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly ok: boolean;
  readonly versionId?: string;
  readonly detail?: string;
}

describe('Local stack: M2M calls through real rotations', () => {
  let clerk: ClerkEmulator;
  let sm: SecretsManagerEmulator;
  let smClient: SecretsManagerClient;
  let rotatorArn: string;
  const logLines: string[] = [];
  const issuedKeys: string[] = [];
  const logger = createJsonLogger({ clock: systemClock, write: (line) => logLines.push(line), level: 'debug' });
  const services: RunningService[] = [];

  async function machineWithSecret(
    name: string,
    options: { scopedTo?: EmulatedMachine; ttlSeconds?: number } = {},
  ): Promise<{ machine: EmulatedMachine; secretId: string }> {
    const machine = clerk.createMachine({
      name,
      ...(options.scopedTo ? { scopedMachineIds: [options.scopedTo.id] } : {}),
    });
    issuedKeys.push(machine.secretKey);
    const secretId = `clerk/machines/${name}`;
    await smClient.send(
      new CreateSecretCommand({
        Name: secretId,
        SecretString: JSON.stringify({ machineId: machine.id, secretKey: machine.secretKey }),
        Tags: [
          { Key: TagKey.machineId, Value: machine.id },
          ...(options.ttlSeconds === undefined
            ? []
            : [{ Key: TagKey.previousKeyTtlSeconds, Value: String(options.ttlSeconds) }]),
        ],
      }),
    );
    // Configure rotation without rotating (only testSecret runs, against a temporary copy).
    await smClient.send(
      new RotateSecretCommand({
        SecretId: secretId,
        RotationLambdaARN: rotatorArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: false,
      }),
    );
    return { machine, secretId };
  }

  async function rotate(secretId: string, machine: EmulatedMachine): Promise<string> {
    const before = clerk.rotationHistory(machine.id).length;
    await smClient.send(new RotateSecretCommand({ SecretId: secretId }));
    expect(clerk.rotationHistory(machine.id)).toHaveLength(before + 1);
    issuedKeys.push(clerk.currentKey(machine.id));
    const described = await smClient.send(new DescribeSecretCommand({ SecretId: secretId }));
    const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) => s.includes(Stage.current));
    return current?.[0] ?? '';
  }

  /** Runs `call` from `workers` loops until `stop` resolves; every result is recorded. */
  async function hammer(workers: number, call: () => Promise<Outcome>, stop: Promise<void>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let running = true;
    void stop.then(() => {
      running = false;
    });
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (running) {
          outcomes.push(
            await call().catch((error: unknown) => ({ ok: false, detail: String((error as Error)?.message) })),
          );
        }
      }),
    );
    return outcomes;
  }

  beforeAll(async () => {
    clerk = await startClerkEmulator({ rateLimit: false });
    issuedKeys.push(clerk.defaultInstance.secretKey);
    sm = await startSecretsManagerEmulator({ seed: 11 });
    smClient = sm.createClient();
    await smClient.send(
      new CreateSecretCommand({ Name: INSTANCE_SECRET, SecretString: clerk.defaultInstance.secretKey }),
    );
    rotatorArn = sm.functionArn('clerk-machine-key-rotator');
    const rotationHandler = createRotationHandler({
      secretsManager: smClient,
      fetch: globalThis.fetch,
      env: {
        [EnvVar.instanceKeySecretId]: INSTANCE_SECRET,
        [EnvVar.clerkApiUrl]: clerk.url,
        [EnvVar.previousKeyTtlSeconds]: '60',
        [EnvVar.minRotationIntervalSeconds]: '0',
      },
      writeLog: (line) => logLines.push(line),
    });
    sm.registerRotationFunction(rotatorArn, (event, context) => rotationHandler(event, context));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    smClient?.destroy();
    await Promise.all([clerk?.close(), sm?.close()]);
    // Every line written by the rotation function, the readers, the consumer and the service.
    expect(logLines.length).toBeGreaterThan(0);
    expectNoKeyLeak(logLines, issuedKeys);
  });

  it('keeps every call working while both the caller’s and the verifier’s keys rotate (60 s overlap)', async () => {
    // Prepare: service B verifies; caller A (scoped to B) mints through the Lambda consumer example
    const b = await machineWithSecret('verifier-1');
    const a = await machineWithSecret('caller-1', { scopedTo: b.machine });
    const serviceProvider = createMachineKeyProvider({
      secretId: b.secretId,
      client: smClient,
      maxAgeMs: 1_000,
      maxStaleMs: 5_000,
      logger,
    });
    const service = await startService({
      provider: serviceProvider,
      fetch: globalThis.fetch,
      apiUrl: clerk.url,
      logger,
    });
    services.push(service);
    const consumer = createConsumer({
      secretsManager: smClient,
      fetch: globalThis.fetch,
      env: {
        MACHINE_KEY_SECRET_ID: a.secretId,
        CLERK_API_URL: clerk.url,
        DOWNSTREAM_URL: `${service.url}/whoami`,
        MACHINE_KEY_MAX_AGE_SECONDS: '1',
      },
      maxStaleMs: 5_000,
      logger,
    });
    const versions = { a: [] as string[], b: [] as string[] };

    // Act
    const stop = (async () => {
      // Each key rotates every ~2 s, beyond maxAge (1 s ± 10 %) plus slack for a loaded machine: the emulator kills
      // the key from two rotations ago at once, so a reader more than one rotation behind would see 401s.
      for (let round = 0; round < 3; round++) {
        await sleep(1_000);
        versions.a.push(await rotate(a.secretId, a.machine));
        await sleep(1_000);
        versions.b.push(await rotate(b.secretId, b.machine));
      }
      await sleep(1_500); // past maxAge: every reader has moved to the newest keys
    })();
    const outcomes = await hammer(
      4,
      async () => {
        const result = await consumer.call();
        return {
          ok: result.downstreamStatus === 200,
          versionId: result.machineKeyVersionId,
          detail: `HTTP ${result.downstreamStatus}`,
        };
      },
      stop,
    );

    // Assess
    const failures = outcomes.filter((o) => !o.ok);
    expect(failures).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(50);
    expect(clerk.rotationHistory(a.machine.id)).toHaveLength(3);
    expect(clerk.rotationHistory(b.machine.id)).toHaveLength(3);
    // The consumer really switched keys, ending on the last version.
    const used = new Set(outcomes.map((o) => o.versionId));
    expect(used.size).toBeGreaterThanOrEqual(3);
    expect(outcomes.at(-1)?.versionId).toBe(versions.a.at(-1));
    // Through the http service's own mint-and-verify path too.
    const viaService = await fetch(`${service.url}/call`, { method: 'POST' });
    expect(viaService.status).toBe(200);
  });

  it('recovers through the 401 path when a key expires before maxAge is up (1 s overlap, 60 s maxAge)', async () => {
    // Prepare: a short overlap on both secrets (tag), long-lived caches: only the 401 retry can save the calls
    const b = await machineWithSecret('verifier-2', { ttlSeconds: 1 });
    const a = await machineWithSecret('caller-2', { scopedTo: b.machine, ttlSeconds: 1 });
    const serviceProvider = createMachineKeyProvider({
      secretId: b.secretId,
      client: smClient,
      maxAgeMs: 60_000,
      maxStaleMs: 0,
      logger,
    });
    const service = await startService({
      provider: serviceProvider,
      fetch: globalThis.fetch,
      apiUrl: clerk.url,
      logger,
    });
    services.push(service);
    const consumer = createConsumer({
      secretsManager: smClient,
      fetch: globalThis.fetch,
      env: {
        MACHINE_KEY_SECRET_ID: a.secretId,
        CLERK_API_URL: clerk.url,
        DOWNSTREAM_URL: `${service.url}/whoami`,
        MACHINE_KEY_MAX_AGE_SECONDS: '60',
      },
      maxStaleMs: 0,
      logger,
    });
    const warningsBefore = logLines.filter((l) => l.includes('"outcome":"overlap-too-short"')).length;
    const retriesBefore = logLines.filter((l) => l.includes('"outcome":"retry-after-rotation"')).length;

    // Act
    const stop = (async () => {
      await sleep(200);
      await rotate(a.secretId, a.machine);
      await rotate(b.secretId, b.machine);
      await sleep(1_800); // the previous keys are dead now; the caches still hold them
    })();
    const outcomes = await hammer(
      3,
      async () => {
        const result = await consumer.call();
        return {
          ok: result.downstreamStatus === 200,
          versionId: result.machineKeyVersionId,
          detail: `HTTP ${result.downstreamStatus}`,
        };
      },
      stop,
    );
    const last = await consumer.call();

    // Assess
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(last.downstreamStatus).toBe(200);
    expect(last.machineKeyVersionId).not.toBe(outcomes[0]?.versionId);
    expect(clerk.isKeyValid(a.machine.id, a.machine.secretKey)).toBe(false);
    expect(clerk.isKeyValid(b.machine.id, b.machine.secretKey)).toBe(false);
    // Both the caller (createM2MToken) and the verifier (verifyM2MToken) went through the 401 → refresh → retry path.
    const retries = logLines.filter((l) => l.includes('"outcome":"retry-after-rotation"')).length;
    expect(retries - retriesBefore).toBeGreaterThanOrEqual(2);
    // The reader noticed that 60 s of caching cannot fit in a 1 s overlap.
    const warnings = logLines.filter((l) => l.includes('"outcome":"overlap-too-short"')).length;
    expect(warnings).toBeGreaterThan(warningsBefore);
  });

  it('switches a consumer at once when the rotation notification reaches it', async () => {
    // Prepare: Lambda stood in by a mock that delivers the asynchronous invoke to the consumer's handler
    const a = await machineWithSecret('caller-3');
    const consumer = createConsumer({
      secretsManager: smClient,
      fetch: globalThis.fetch,
      env: { MACHINE_KEY_SECRET_ID: a.secretId, CLERK_API_URL: clerk.url, MACHINE_KEY_MAX_AGE_SECONDS: '3600' },
      logger,
    });
    const lambda = new LambdaClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    const delivered: Promise<unknown>[] = [];
    mockClient(lambda)
      .on(InvokeCommand)
      .callsFake((input: { Payload: Uint8Array }) => {
        delivered.push(consumer.handler(JSON.parse(new TextDecoder().decode(input.Payload))));
        return { StatusCode: 202 };
      });
    const notifier = createRotationNotifier({
      client: lambda,
      functionArns: ['arn:aws:lambda:us-east-1:123456789012:function:consumer'],
      logger,
    });
    const before = await consumer.call();

    // Act
    const newVersion = await rotate(a.secretId, a.machine);
    const notified = await notifier.notify({
      type: MACHINE_KEY_ROTATED,
      secretId: (await smClient.send(new GetSecretValueCommand({ SecretId: a.secretId }))).ARN ?? a.secretId,
      versionId: newVersion,
      machineId: a.machine.id,
    });
    await Promise.all(delivered);
    const after = await consumer.call();

    // Assess
    expect(notified.failed).toEqual([]);
    expect(before.machineKeyVersionId).not.toBe(newVersion);
    expect(after.machineKeyVersionId).toBe(newVersion);
  });
});
