import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleEntry } from './bundleEntry.ts';
import { compareProbes, type ProbeComparison } from './compareProbes.ts';
import { interleaveRounds } from './interleaveRounds.ts';
import { ROTATION_HANDLER_ENTRY } from './measureBundle.ts';
import { runProbe } from './runProbe.ts';

export const AWS_SDK_FLOOR_ENTRY = 'bench/fixtures/awsSdkFloor.ts';
/** The goal: importing our handler costs at most this much more than importing the SDK clients it uses. */
export const COLD_INIT_GOAL_RATIO = 1.2;

export interface ColdInitOptions {
  /** Interleaved rounds (handler, floor, handler, floor, …); one unrecorded warm-up round comes first. @default 25 */
  readonly rounds?: number;
}

export interface ColdInitMeasurement {
  readonly rounds: number;
  /** Median ms from `import()` called to resolved, in a fresh `node` process. */
  readonly handlerMs: number;
  readonly floorMs: number;
  /** Median of the per-round ratios handler ÷ floor. */
  readonly ratio: number;
  /** First and third quartile of the per-round ratios: the noise the median sits in. */
  readonly ratioQuartiles: readonly [number, number];
  /** Median ms from process start to the import resolved (Node's own start-up included). */
  readonly handlerSinceStartMs: number;
  readonly floorSinceStartMs: number;
  readonly handlerBytes: number;
  readonly floorBytes: number;
  /** The same rounds in CPU time of each process (`aMs` handler, `bMs` floor); the goal is judged on this ratio. */
  readonly cpu: ProbeComparison;
  readonly goalRatio: number;
}

/** Run by a fresh `node`: times one dynamic import and prints both the import delta and time since process start. */
const IMPORT_PROBE = `
const cpuStarted = process.cpuUsage();
const started = performance.now();
await import(process.argv[1]);
const ended = performance.now();
const cpu = process.cpuUsage(cpuStarted);
process.stdout.write(JSON.stringify({ ms: ended - started, sinceStartMs: ended, cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

/**
 * Cold init of the rotation function as `npm run build` ships it (AWS SDK bundled), against the floor of importing
 * only the SDK client and commands its cold path uses (Secrets Manager), bundled the same way. Each round runs both
 * in fresh processes, in alternating order, so drift in the machine's load hits both alike.
 */
export async function measureColdInit(options: ColdInitOptions = {}): Promise<ColdInitMeasurement> {
  const rounds = Math.max(9, options.rounds ?? 25);
  const dir = await mkdtemp(join(tmpdir(), 'clerk-rotator-cold-init-'));
  try {
    const [handler, floor] = await Promise.all([
      bundleEntry({ entry: ROTATION_HANDLER_ENTRY, bundleAwsSdk: true }),
      bundleEntry({ entry: AWS_SDK_FLOOR_ENTRY, bundleAwsSdk: true }),
    ]);
    const handlerFile = join(dir, 'handler.mjs');
    const floorFile = join(dir, 'floor.mjs');
    await Promise.all([writeFile(handlerFile, handler.code), writeFile(floorFile, floor.code)]);
    const importOf = (file: string) => () => runProbe(IMPORT_PROBE, [pathToFileURL(file).href]);
    const probes = await interleaveRounds(rounds, importOf(handlerFile), importOf(floorFile));
    const compared = compareProbes(probes.first, probes.second);
    return {
      rounds,
      handlerMs: compared.wall.aMs,
      floorMs: compared.wall.bMs,
      ratio: compared.wall.ratio,
      ratioQuartiles: compared.wall.ratioQuartiles,
      handlerSinceStartMs: compared.aSinceStartMs,
      floorSinceStartMs: compared.bSinceStartMs,
      handlerBytes: handler.code.byteLength,
      floorBytes: floor.code.byteLength,
      cpu: compared.cpu,
      goalRatio: COLD_INIT_GOAL_RATIO,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
