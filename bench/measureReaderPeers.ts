import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createMachineKeyProvider, ReaderDefaults } from '../lib/reader/createMachineKeyProvider.ts';
import { REPO_ROOT } from './bundleEntry.ts';
import { interleaveRounds } from './interleaveRounds.ts';
import { median } from './median.ts';
import { quantile } from './quantile.ts';

const SECRET_ID = 'bench/clerk/machine';
const COLD_READS = 10_000;
const STUB_LATENCY_MS = 5;
const READS_PER_BATCH = 10_000;

/** Our reader against Powertools for AWS Lambda's Parameters utility, each over its own copy of one stub. */
export interface ReaderPeerComparison {
  readonly powertoolsVersion: string;
  readonly rounds: number;
  readonly maxAgeSeconds: number;
  /** Medians of hot reads per second over the interleaved rounds; ratio: median of the per-round ours ÷ theirs. */
  readonly hot: {
    readonly ours: number;
    readonly powertools: number;
    readonly ratio: number;
    readonly ratioQuartiles: readonly [number, number];
  };
  readonly cold: {
    readonly reads: number;
    readonly stubLatencyMs: number;
    readonly oursCalls: number;
    readonly powertoolsCalls: number;
    readonly oursMs: number;
    readonly powertoolsMs: number;
  };
}

/**
 * The Secrets Manager client stub both readers get: a real SDK client whose GetSecretValue answers one machine
 * secret after `latencyMs`, counting calls (aws-sdk-client-mock). Nothing leaves the process.
 */
function secretsManagerStub(latencyMs: number) {
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  const stub = mockClient(client);
  const SecretString = JSON.stringify({
    machineId: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
    secretKey: `ak_${randomBytes(16).toString('hex')}`,
  });
  const ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`;
  stub.on(GetSecretValueCommand).callsFake(async () => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return { ARN, VersionId: 'v1', SecretString };
  });
  return { client, calls: () => stub.commandCalls(GetSecretValueCommand).length };
}

/** The two readers as an app would call them: ours with its defaults, Powertools' SecretsProvider with JSON and the same maxAge. */
function readers(client: SecretsManagerClient) {
  const ours = createMachineKeyProvider({ secretId: SECRET_ID, client });
  const powertools = new SecretsProvider({ awsSdkV3Client: client });
  const options = { transform: 'json', maxAge: ReaderDefaults.maxAgeMs / 1000 } as const;
  return {
    ours: (): Promise<unknown> => ours.get(),
    powertools: (): Promise<unknown> => powertools.get(SECRET_ID, options),
  };
}

/** Awaited reads per second of `read`, cache warm, over about `durationMs`. */
async function readsPerSecond(read: () => Promise<unknown>, durationMs: number): Promise<number> {
  let reads = 0;
  let sink = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    for (let i = 0; i < READS_PER_BATCH; i += 1) sink += (await read()) === undefined ? 0 : 1;
    reads += READS_PER_BATCH;
  }
  if (sink !== reads) throw new Error(`${reads - sink} of ${reads} reads returned nothing`);
  return reads / ((performance.now() - started) / 1000);
}

async function coldReads(pick: 'ours' | 'powertools') {
  const stub = secretsManagerStub(STUB_LATENCY_MS);
  const read = readers(stub.client)[pick];
  const started = performance.now();
  await Promise.all(Array.from({ length: COLD_READS }, read));
  return { calls: stub.calls(), ms: performance.now() - started };
}

async function powertoolsVersion(): Promise<string> {
  const path = join(REPO_ROOT, 'node_modules/@aws-lambda-powertools/parameters/package.json');
  return (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;
}

/**
 * Hot reads per second (cache warm, one awaited get() after another) and GetSecretValue calls for 10,000 concurrent
 * cold reads, ours against Powertools' SecretsProvider — what `getSecret` wraps — in the same run over the same stub.
 * Hot rounds interleave, the one going first alternating.
 */
export async function measureReaderPeers(rounds = 9, roundMs = 300): Promise<ReaderPeerComparison> {
  const stub = secretsManagerStub(0);
  const read = readers(stub.client);
  await read.ours();
  await read.powertools();
  const hot = await interleaveRounds(
    rounds,
    () => readsPerSecond(read.ours, roundMs),
    () => readsPerSecond(read.powertools, roundMs),
  );
  const ratios = hot.first.map((ours, index) => ours / (hot.second[index] as number));
  const ours = await coldReads('ours');
  const powertools = await coldReads('powertools');
  return {
    powertoolsVersion: await powertoolsVersion(),
    rounds,
    maxAgeSeconds: ReaderDefaults.maxAgeMs / 1000,
    hot: {
      ours: median(hot.first),
      powertools: median(hot.second),
      ratio: median(ratios),
      ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    },
    cold: {
      reads: COLD_READS,
      stubLatencyMs: STUB_LATENCY_MS,
      oursCalls: ours.calls,
      powertoolsCalls: powertools.calls,
      oursMs: ours.ms,
      powertoolsMs: powertools.ms,
    },
  };
}
