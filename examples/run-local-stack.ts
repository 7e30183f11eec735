/**
 * Runs both examples against the local stack in one process:
 *
 *   npm run example -- examples/run-local-stack.ts
 *
 * Starts the Clerk and Secrets Manager emulators, registers the real rotation handler (lambda/rotate.ts), creates a
 * verifier machine (the http service) and a caller machine scoped to it (the Lambda consumer), then calls through
 * two rotations of each and prints what happened. Keys never leave the emulators and the readers.
 */
import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, EnvVar } from 'clerk-machine-key-rotator';
import { createJsonLogger, createMachineKeyProvider, systemClock } from 'clerk-machine-key-rotator/reader';
import { startClerkEmulator } from '../localstack/clerk/index.ts';
import { startSecretsManagerEmulator } from '../localstack/secretsManager/index.ts';
import { startService } from './http-service/server.ts';
import { createConsumer } from './lambda-consumer/handler.ts';

const clerk = await startClerkEmulator({ rateLimit: false });
const sm = await startSecretsManagerEmulator();
const client = sm.createClient();
const logger = createJsonLogger({ clock: systemClock, level: 'warn' });
const rotator = sm.functionArn('clerk-machine-key-rotator');
const handler = createRotationHandler({
  secretsManager: client,
  fetch: globalThis.fetch,
  env: {
    [EnvVar.instanceKeySecretId]: 'clerk/instance-key',
    [EnvVar.clerkApiUrl]: clerk.url,
    [EnvVar.previousKeyTtlSeconds]: '60',
    [EnvVar.minRotationIntervalSeconds]: '0',
    LOG_LEVEL: 'warn',
  },
});
sm.registerRotationFunction(rotator, (event, context) => handler(event, context));
await client.send(
  new CreateSecretCommand({ Name: 'clerk/instance-key', SecretString: clerk.defaultInstance.secretKey }),
);

async function machineSecret(name: string, scopedMachineIds: string[] = []) {
  const machine = clerk.createMachine({ name, scopedMachineIds });
  const secretId = `clerk/machines/${name}`;
  await client.send(
    new CreateSecretCommand({
      Name: secretId,
      SecretString: JSON.stringify({ machineId: machine.id, secretKey: machine.secretKey }),
    }),
  );
  await client.send(
    new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: rotator, RotateImmediately: false }),
  );
  return { machine, secretId };
}

const verifier = await machineSecret('http-service');
const caller = await machineSecret('lambda-consumer', [verifier.machine.id]);
const service = await startService({
  // maxAge + maxStale within half of the 60 s overlap, or the reader warns (docs/reader.md).
  provider: createMachineKeyProvider({
    secretId: verifier.secretId,
    client,
    maxAgeMs: 1_000,
    maxStaleMs: 10_000,
    logger,
  }),
  fetch: globalThis.fetch,
  apiUrl: clerk.url,
  logger,
});
const consumer = createConsumer({
  secretsManager: client,
  fetch: globalThis.fetch,
  env: {
    MACHINE_KEY_SECRET_ID: caller.secretId,
    CLERK_API_URL: clerk.url,
    DOWNSTREAM_URL: `${service.url}/whoami`,
    MACHINE_KEY_MAX_AGE_SECONDS: '1',
  },
  maxStaleMs: 10_000,
  logger,
});

const rows: string[] = [];
for (let round = 1; round <= 3; round++) {
  let ok = 0;
  const versions = new Set<string>();
  const until = Date.now() + 1_500;
  while (Date.now() < until) {
    const result = await consumer.call();
    if (result.downstreamStatus === 200) ok += 1;
    versions.add(result.machineKeyVersionId);
  }
  rows.push(`round ${round}: ${ok} calls answered 200, caller key versions used: ${[...versions].join(', ')}`);
  if (round < 3) {
    await client.send(new RotateSecretCommand({ SecretId: caller.secretId }));
    await client.send(new RotateSecretCommand({ SecretId: verifier.secretId }));
  }
}
process.stdout.write(`http service on ${service.url}, Clerk emulator on ${clerk.url}\n${rows.join('\n')}\n`);
process.stdout.write(
  `rotations at Clerk: caller ${clerk.rotationHistory(caller.machine.id).length}, verifier ${clerk.rotationHistory(verifier.machine.id).length}\n`,
);

await service.close();
client.destroy();
await Promise.all([clerk.close(), sm.close()]);
