import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a probe script prints as its last line: ms of the timed part, and ms since the process started. */
export interface Probe {
  readonly ms: number;
  readonly sinceStartMs: number;
  /** CPU time (user + system, all threads) of the timed part. */
  readonly cpuMs: number;
}

export interface ProbeOptions {
  /** Node flags before the script, e.g. `--enable-source-maps` as the Lambda runtime is started. */
  readonly nodeFlags?: readonly string[];
  /** Added to this process's environment (NODE_OPTIONS is always cleared). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs an ES module probe (`-e`) in a fresh `node`, which times its own work with `performance.now()` and
 * `process.cpuUsage()` and prints `{"ms":…,"sinceStartMs":…,"cpuMs":…}` as its last line (the code it loads may print
 * lines of its own before that).
 */
export async function runProbe(probe: string, args: readonly string[], options: ProbeOptions = {}): Promise<Probe> {
  const { stdout } = await run(
    process.execPath,
    [...(options.nodeFlags ?? []), '--input-type=module', '-e', probe, ...args],
    { env: { ...process.env, NODE_OPTIONS: '', ...options.env } },
  );
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Probe;
}
