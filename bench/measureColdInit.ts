import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleEntry } from './bundleEntry.ts';
import { ROTATION_HANDLER_ENTRY } from './measureBundle.ts';
import { median } from './median.ts';
import { quantile } from './quantile.ts';

const run = promisify(execFile);

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
  readonly goalRatio: number;
}

/** Run by a fresh `node`: times one dynamic import and prints both the import delta and time since process start. */
const IMPORT_PROBE = `
const started = performance.now();
await import(process.argv[1]);
const ended = performance.now();
process.stdout.write(JSON.stringify({ importMs: ended - started, sinceStartMs: ended }));
`;

interface Probe {
  readonly importMs: number;
  readonly sinceStartMs: number;
}

async function importInFreshProcess(file: string): Promise<Probe> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_PROBE, pathToFileURL(file).href],
    {
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  return JSON.parse(stdout) as Probe;
}

/**
 * Cold init of the rotation function as the CDK construct ships it (AWS SDK bundled), against the floor of importing
 * only the SDK clients and commands it uses, bundled the same way. Each round runs both in fresh processes, in
 * alternating order, so drift in the machine's load hits both alike.
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

    await importInFreshProcess(handlerFile);
    await importInFreshProcess(floorFile);
    const handlerProbes: Probe[] = [];
    const floorProbes: Probe[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      let handlerProbe: Probe;
      let floorProbe: Probe;
      if (round % 2 === 0) {
        handlerProbe = await importInFreshProcess(handlerFile);
        floorProbe = await importInFreshProcess(floorFile);
      } else {
        floorProbe = await importInFreshProcess(floorFile);
        handlerProbe = await importInFreshProcess(handlerFile);
      }
      handlerProbes.push(handlerProbe);
      floorProbes.push(floorProbe);
      ratios.push(handlerProbe.importMs / floorProbe.importMs);
    }
    return {
      rounds,
      handlerMs: median(handlerProbes.map((p) => p.importMs)),
      floorMs: median(floorProbes.map((p) => p.importMs)),
      ratio: median(ratios),
      ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
      handlerSinceStartMs: median(handlerProbes.map((p) => p.sinceStartMs)),
      floorSinceStartMs: median(floorProbes.map((p) => p.sinceStartMs)),
      handlerBytes: handler.code.byteLength,
      floorBytes: floor.code.byteLength,
      goalRatio: COLD_INIT_GOAL_RATIO,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
