import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
export const PACKAGE_NAME = 'clerk-machine-key-rotator';

/** The documented peers and the test tools, pinned: a fresh project installs exactly these beside the tarball. */
export const CONSUMER_VERSIONS = {
  'aws-cdk-lib': '2.276.0',
  constructs: '10.8.1',
  '@aws-sdk/client-secrets-manager': '3.1164.0',
  '@types/node': '24.19.4',
  jest: '30.5.2',
  '@swc/jest': '0.2.39',
  '@swc/core': '1.16.22',
} as const;

/** Only Node 24 itself: no esbuild, no Docker, no tsx from the repository's node_modules/.bin. */
export const NODE_ONLY_PATH = dirname(process.execPath);

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** PATH of the command; node 24 comes first either way. @default node 24, then this process's PATH */
  readonly path?: string;
  readonly timeoutMs?: number;
}

/** Runs a command to completion and returns its exit code and output (never rejects on a non-zero exit). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  const path = options.path ?? `${NODE_ONLY_PATH}:${process.env.PATH ?? ''}`;
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, NODE_OPTIONS: '', ...options.env, PATH: path },
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 300_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackedPackage {
  readonly tarball: string;
  /** Compressed size in bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

/** `npm pack` (prepack runs `npm run build`) into `destination`; returns what npm reports about the tarball. */
export async function packPackage(destination: string): Promise<PackedPackage> {
  const result = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: REPO_ROOT });
  if (result.code !== 0) throw new Error(`npm pack failed (${result.code}):\n${result.stderr.slice(-4000)}`);
  const [report] = JSON.parse(result.stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: PackedFile[];
  }[];
  if (report === undefined) throw new Error('npm pack reported no tarball');
  return {
    tarball: join(destination, report.filename),
    size: report.size,
    unpackedSize: report.unpackedSize,
    files: report.files,
  };
}

/**
 * A CommonJS project (no "type") holding the consumer apps from fixtures/, depending on the tarball, the documented
 * peers and the test tools at pinned versions; `npm install` from the registry (or npm's cache).
 */
export async function createConsumerProject(dir: string, tarball: string): Promise<CommandResult> {
  await mkdir(dir, { recursive: true });
  await cp(FIXTURES, dir, { recursive: true });
  const { jest, '@swc/jest': swcJest, '@swc/core': swcCore, '@types/node': typesNode, ...runtime } = CONSUMER_VERSIONS;
  const manifest = {
    name: 'clerk-rotator-consumer',
    version: '1.0.0',
    private: true,
    dependencies: { [PACKAGE_NAME]: `file:${tarball}`, ...runtime },
    devDependencies: { jest, '@swc/jest': swcJest, '@swc/core': swcCore, '@types/node': typesNode },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeoutMs: 600_000 });
}

const KEY_SHAPED = /\b(?:ak|sk_test|sk_live|mt)_[A-Za-z0-9]{16,}/g;

/** Known keys and key-shaped values found in what a process printed, cut to 8 characters; empty when none. */
export function keyLeaksIn(texts: readonly string[], keys: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const text of texts) {
    for (const key of keys) if (text.includes(key)) leaks.push(`${key.slice(0, 8)}…`);
    for (const match of text.matchAll(KEY_SHAPED)) leaks.push(`${match[0].slice(0, 8)}…`);
  }
  return leaks;
}

/** Parses the one JSON line an app prints last. */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
