import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_FILE } from '../scripts/build/functionBuildOptions.ts';
import { bundleEntry } from './bundleEntry.ts';
import { compareProbes, type ProbeComparison } from './compareProbes.ts';
import { interleaveRounds } from './interleaveRounds.ts';
import { ROTATION_HANDLER_ENTRY } from './measureBundle.ts';
import { runProbe } from './runProbe.ts';

export interface NotifyColdInitOptions {
  /** Interleaved rounds; one unrecorded warm-up of each comes first. @default 25 */
  readonly rounds?: number;
}

export interface NotifyColdInitMeasurement {
  readonly rounds: number;
  /** Median ms, import of the shipped bundle and its first invocation, ROTATION_NOTIFY_FUNCTION_ARNS unset. */
  readonly secretsManagerOnlyMs: number;
  /** The same with ROTATION_NOTIFY_FUNCTION_ARNS set: the Lambda client and the notifier are loaded as well. */
  readonly withLambdaClientMs: number;
  /** Median of the per-round ratios with ÷ without (wall time). */
  readonly ratio: number;
  readonly ratioQuartiles: readonly [number, number];
  /** The same rounds in CPU time of each process (`aMs` with the Lambda client, `bMs` without). */
  readonly cpu: ProbeComparison;
  readonly bundleBytes: number;
}

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:clerk-machine-key-rotator';
const CONSUMER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:bench-consumer';

/**
 * Run by a fresh `node --enable-source-maps` (how the construct starts the function): imports the bundle and invokes
 * its handler once with an empty event. The handler sets up (Secrets Manager client, settings, and the notifier when
 * ROTATION_NOTIFY_FUNCTION_ARNS is set) and then refuses the event, before any network call.
 */
const INVOKE_PROBE = `
const cpuStarted = process.cpuUsage();
const started = performance.now();
const { handler } = await import(process.argv[1]);
const context = { invokedFunctionArn: process.argv[2], getRemainingTimeInMillis: () => 60_000 };
const outcome = await handler({}, context).then(() => 'resolved', (error) => error?.code);
if (outcome !== 'EVENT_INVALID') throw new Error('expected EVENT_INVALID, got ' + outcome);
const ended = performance.now();
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write('\\n' + JSON.stringify({ ms: ended - started, sinceStartMs: ended, cpuMs }));
`;

/**
 * What notifications add to a cold start: the shipped bundle (AWS SDK bundled, source map beside it) imported and
 * invoked once with ROTATION_NOTIFY_FUNCTION_ARNS unset (Secrets Manager client only) and set (the Lambda client
 * loaded too), interleaved in fresh processes.
 */
export async function measureNotifyColdInit(options: NotifyColdInitOptions = {}): Promise<NotifyColdInitMeasurement> {
  const rounds = Math.max(9, options.rounds ?? 25);
  const dir = await mkdtemp(join(tmpdir(), 'clerk-rotator-notify-cold-init-'));
  try {
    const bundle = await bundleEntry({ entry: ROTATION_HANDLER_ENTRY, bundleAwsSdk: true });
    const file = join(dir, FUNCTION_FILE);
    await Promise.all([writeFile(file, bundle.code), writeFile(`${file}.map`, bundle.map)]);
    const invoke = (notifyArns: string) => () =>
      runProbe(INVOKE_PROBE, [pathToFileURL(file).href, FUNCTION_ARN], {
        nodeFlags: ['--enable-source-maps'],
        env: {
          AWS_REGION: 'us-east-1',
          CLERK_SECRET_KEY_SECRET_ID: 'clerk/instance-key',
          LOG_LEVEL: 'error',
          ROTATION_NOTIFY_FUNCTION_ARNS: notifyArns,
        },
      });
    const probes = await interleaveRounds(rounds, invoke(CONSUMER_ARN), invoke(''));
    const compared = compareProbes(probes.first, probes.second);
    return {
      rounds,
      secretsManagerOnlyMs: compared.wall.bMs,
      withLambdaClientMs: compared.wall.aMs,
      ratio: compared.wall.ratio,
      ratioQuartiles: compared.wall.ratioQuartiles,
      cpu: compared.cpu,
      bundleBytes: bundle.code.byteLength,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
