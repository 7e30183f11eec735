import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { expect } from 'vitest';
import { systemClock } from '../../lib/Clock.ts';
import type { CliDeps } from '../../lib/cli/CliDeps.ts';
import { runCli } from '../../lib/cli/runCli.ts';
import type { LocalStack } from '../../localstack/startLocalStack.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every output of the file's runs, scanned for keys at the end (except the ones that asked for --show-key). */
export class OutputLog {
  readonly runs: CliRun[] = [];

  record(run: CliRun): CliRun {
    this.runs.push(run);
    return run;
  }

  /** Asserts that no key appears in any output, except in runs with --show-key. */
  expectNoKeys(keys: readonly string[]): void {
    const scanned = this.runs.filter((run) => !run.args.includes('--show-key'));
    expect(scanned.length).toBeGreaterThan(0);
    for (const run of scanned) {
      for (const text of [run.stdout, run.stderr]) {
        for (const key of keys) expect(text, `a key in the output of ${run.args.join(' ')}`).not.toContain(key);
        expect(text).not.toMatch(/\b(?:ak|sk_test|sk_live)_[A-Za-z0-9]{8,}/);
      }
    }
  }
}

/** The environment of a spawned CLI: the stack's, plus only what node needs; no AWS settings of the host leak in. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    // The SDK's notice about Node 20 would otherwise end up in every stderr.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  if (process.env.TMPDIR !== undefined) env.TMPDIR = process.env.TMPDIR;
  return { ...env, ...extra };
}

/** Runs `node --import tsx lib/cli/main.ts …args` as a real process. */
export function spawnCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { readonly input?: string; readonly timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ args, code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface InProcessOptions {
  /** The CLI's environment; a Secrets Manager client is built from it as the CLI asks (endpoint, region). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdinText?: string;
  readonly isTTY?: { readonly stdin: boolean; readonly stdout: boolean };
  /** Stands for Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** Runs the CLI in this process through runCli, with buffers for its streams. */
export async function runInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const deps: CliDeps = {
    env: options.env ?? {},
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    stdin: Readable.from(options.stdinText === undefined ? [] : [options.stdinText]),
    isTTY: options.isTTY ?? { stdin: false, stdout: false },
    createSecretsManagerClient: (config) =>
      new SecretsManagerClient({
        ...config,
        maxAttempts: 1,
        credentials: { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret-access-key' },
      }),
    fetch: globalThis.fetch,
    clock: systemClock,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const code = await runCli(args, deps);
  return { args, code, stdout, stderr };
}

/** Every key ever stored in the stack's secrets (all versions), and the instance key: none may be printed. */
export async function storedKeys(stack: LocalStack): Promise<string[]> {
  const keys = new Set<string>([stack.clerk.defaultInstance.secretKey]);
  const secrets = await stack.client.send(new ListSecretsCommand({}));
  for (const secret of secrets.SecretList ?? []) {
    const versions = await stack.client.send(
      new ListSecretVersionIdsCommand({ SecretId: secret.ARN, IncludeDeprecated: true }),
    );
    for (const version of versions.Versions ?? []) {
      try {
        const value = await stack.client.send(
          new GetSecretValueCommand({ SecretId: secret.ARN, VersionId: version.VersionId }),
        );
        for (const match of value.SecretString?.match(/(?:ak|sk_test|sk_live)_[A-Za-z0-9]+/g) ?? []) keys.add(match);
      } catch {
        // A version without a value (a rotation that never stored one) holds no key.
      }
    }
  }
  return [...keys];
}

/** Milestone lines of `rotate --wait` in the order they were printed. */
export function milestones(stdout: string): string[] {
  const found: string[] = [];
  const patterns: [string, RegExp][] = [
    ['pending', /AWSPENDING on version/],
    ['staged', /new key staged/],
    ['promoted', /AWSCURRENT moved to/],
    ['finished', /AWSPENDING removed/],
  ];
  for (const line of stdout.split('\n')) {
    for (const [name, pattern] of patterns) if (pattern.test(line)) found.push(name);
  }
  return found;
}
