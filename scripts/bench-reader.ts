/**
 * Measures the reader: hot-path reads per second (against a plain Map lookup in the same run), Secrets Manager calls
 * for 10,000 concurrent cold reads, and Secrets Manager calls per simulated hour at the default maxAge.
 *
 *   npx tsx scripts/bench-reader.ts
 *
 * Secrets Manager is faked (aws-sdk-client-mock, 5 ms per call); nothing leaves the process. bench/run.ts calls
 * `measureReader()` and `renderReaderTable()`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createMachineKeyProvider, ReaderDefaults } from '../lib/reader/createMachineKeyProvider.ts';

const SECRET_ID = 'bench/clerk/machine';
const PRICE_PER_10K_CALLS_USD = 0.05;
const HOURS_PER_MONTH = 730;

function fakeSecretsManager(latencyMs: number) {
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  const mock = mockClient(client);
  const value = JSON.stringify({
    machineId: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
    secretKey: `ak_${randomBytes(16).toString('hex')}`,
  });
  mock.on(GetSecretValueCommand).callsFake(async () => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return {
      ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`,
      VersionId: 'v1',
      SecretString: value,
    };
  });
  return { client, calls: () => mock.commandCalls(GetSecretValueCommand).length };
}

/** Runs `batch` repeatedly for about `durationMs` and returns operations per second. */
async function opsPerSecond(batch: () => Promise<number> | number, durationMs = 1_000): Promise<number> {
  await batch(); // warm-up
  let ops = 0;
  const started = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < durationMs) {
    ops += await batch();
    elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  }
  return (ops / elapsedMs) * 1_000;
}

const BATCH = 10_000;

async function hotReads() {
  const sm = fakeSecretsManager(0);
  const provider = createMachineKeyProvider({ secretId: SECRET_ID, client: sm.client });
  await provider.get();
  const map = new Map<string, { versionId: string }>([[provider.cacheKey, { versionId: 'v1' }]]);
  let sink = 0;

  const mapOps = await opsPerSecond(() => {
    for (let i = 0; i < BATCH; i++) sink += map.get(provider.cacheKey)?.versionId.length ?? 0;
    return BATCH;
  });
  const awaitedMapOps = await opsPerSecond(async () => {
    for (let i = 0; i < BATCH; i++) sink += (await map.get(provider.cacheKey))?.versionId.length ?? 0;
    return BATCH;
  });
  const providerOps = await opsPerSecond(async () => {
    for (let i = 0; i < BATCH; i++) sink += (await provider.get()).versionId.length;
    return BATCH;
  });
  if (sink === 42) process.stdout.write('');
  return { mapOps, awaitedMapOps, providerOps, smCalls: sm.calls() };
}

async function coldReads(concurrency: number) {
  const sm = fakeSecretsManager(5);
  const provider = createMachineKeyProvider({ secretId: SECRET_ID, client: sm.client });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: concurrency }, () => provider.get()));
  return {
    calls: sm.calls(),
    ms: performance.now() - started,
    versions: new Set(results.map((r) => r.versionId)).size,
  };
}

async function simulatedHour(requestsPerSecond: number) {
  const sm = fakeSecretsManager(0);
  let now = Date.parse('2026-11-30T00:00:00Z');
  const provider = createMachineKeyProvider({ secretId: SECRET_ID, client: sm.client, clock: { now: () => now } });
  const stepMs = 1_000 / requestsPerSecond;
  const requests = 3_600 * requestsPerSecond;
  for (let i = 0; i < requests; i++) {
    await provider.get();
    now += stepMs;
  }
  return { requests, calls: sm.calls() };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface ReaderMeasurement {
  readonly hot: Awaited<ReturnType<typeof hotReads>>;
  readonly cold: Awaited<ReturnType<typeof coldReads>>;
  readonly hour: Awaited<ReturnType<typeof simulatedHour>>;
  readonly maxAgeMs: number;
  readonly monthlyCost: number;
  readonly uncachedCost: number;
}

export async function measureReader(): Promise<ReaderMeasurement> {
  const hot = await hotReads();
  const cold = await coldReads(10_000);
  const hour = await simulatedHour(100);
  const monthlyCost = (hour.calls * HOURS_PER_MONTH * PRICE_PER_10K_CALLS_USD) / 10_000;
  const uncachedCost = (hour.requests * HOURS_PER_MONTH * PRICE_PER_10K_CALLS_USD) / 10_000;
  return { hot, cold, hour, maxAgeMs: ReaderDefaults.maxAgeMs, monthlyCost, uncachedCost };
}

export function renderReaderTable({ hot, cold, hour, monthlyCost, uncachedCost }: ReaderMeasurement): string {
  return table([
    ['measurement', 'result', 'note'],
    ['Map.get (baseline)', `${fmt(hot.mapOps)} ops/s`, 'synchronous lookup, same run'],
    [
      'await Map.get',
      `${fmt(hot.awaitedMapOps)} ops/s`,
      `${(hot.mapOps / hot.awaitedMapOps).toFixed(1)}× slower than Map.get: the cost of await itself`,
    ],
    [
      'provider.get() hot',
      `${fmt(hot.providerOps)} ops/s`,
      `${(hot.providerOps / hot.mapOps).toFixed(3)} of Map.get (${(hot.mapOps / hot.providerOps).toFixed(1)}× slower); ${hot.smCalls} GetSecretValue`,
    ],
    [
      '10,000 concurrent cold get()',
      `${cold.calls} GetSecretValue`,
      `${cold.ms.toFixed(0)} ms with a 5 ms fake; ${cold.versions} version served`,
    ],
    [
      `1 simulated hour, 100 req/s, maxAge ${ReaderDefaults.maxAgeMs / 1_000} s ±10 %`,
      `${hour.calls} GetSecretValue`,
      `${fmt(hour.requests)} get() calls`,
    ],
    [
      'cost per reader, 30 days',
      `$${monthlyCost.toFixed(4)}`,
      `vs $${uncachedCost.toFixed(2)} calling Secrets Manager per request`,
    ],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${renderReaderTable(await measureReader())}\n`);
}
