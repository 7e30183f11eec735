import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, expect } from 'vitest';
import { systemClock } from '../../lib/Clock.ts';
import { CliEnvVar } from '../../lib/cli/CliDefaults.ts';
import type { CliDeps } from '../../lib/cli/CliDeps.ts';
import { runCli } from '../../lib/cli/runCli.ts';
import { ROTATE_RECORD_TAG_PREFIX } from '../../lib/constants.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../localstack/startLocalStack.ts';

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

/** Fails finishSecret's UpdateSecretVersionStage on every attempt: the key is staged and valid, AWSCURRENT never moves. */
export const FINISH_FAILS = { code: 'AccessDeniedException', status: 400, message: 'not allowed (injected)', times: 3 };

/** A test file's local stack and the CLI pointed at it. */
export interface CliStack {
  readonly stack: LocalStack;
  /** The stack's environment, plus CLERK_ROTATOR_FUNCTION_LOG naming the file of the function's log lines. */
  readonly env: Record<string, string>;
  readonly functionLogPath: string;
  readonly log: OutputLog;
  /** A spawned CLI process: the path under test. */
  cli(...args: string[]): Promise<CliRun>;
  /** The same CLI in-process (runCli): for set-up and follow-up checks, which need no process of their own. */
  local(...args: string[]): Promise<CliRun>;
}

/**
 * Starts a local stack (system clock, asynchronous rotations, as in AWS) before the file's tests, its rotation
 * function logging to a file the CLI is told about; after them, checks that no output held a key (except where
 * --show-key asked for one) and stops the stack.
 */
export function useCliStack(options: LocalStackOptions = {}): CliStack {
  const log = new OutputLog();
  const state: { stack?: LocalStack; env?: Record<string, string>; dir?: string; functionLogPath?: string } = {};
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the local stack is not started yet (use it inside a test)');
    return value;
  };
  beforeAll(async () => {
    state.dir = mkdtempSync(join(tmpdir(), 'clerk-rotator-cli-'));
    const functionLogPath = join(state.dir, 'rotation-function.log');
    state.functionLogPath = functionLogPath;
    state.stack = await startLocalStack({
      clock: 'system',
      rotation: 'async',
      writeLog: (line) => appendFileSync(functionLogPath, `${line}\n`),
      ...options,
    });
    state.env = { ...state.stack.environment(), [CliEnvVar.functionLog]: functionLogPath };
  });
  afterAll(async () => {
    if (state.stack !== undefined) {
      log.expectNoKeys(await storedKeys(state.stack));
      await state.stack.close();
    }
    if (state.dir !== undefined) rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get stack() {
      return ready(state.stack);
    },
    get env() {
      return ready(state.env);
    },
    get functionLogPath() {
      return ready(state.functionLogPath);
    },
    log,
    cli: async (...args) => log.record(await spawnCli(args, ready(state.env))),
    local: async (...args) => log.record(await runInProcess(args, { env: ready(state.env) })),
  };
}

/** The labelled versions of a secret: version id → its stages joined by commas. */
export function stagesOf(stack: LocalStack, secretName: string): Record<string, string> {
  return Object.fromEntries(
    (stack.secretsManager.inspectSecret(secretName)?.versions ?? [])
      .filter((version) => version.stages.length > 0)
      .map((version) => [version.versionId, version.stages.join(',')]),
  );
}

export function versionWith(stack: LocalStack, secretName: string, stage: string): string | undefined {
  return stack.secretsManager.inspectSecret(secretName)?.versions.find((version) => version.stages.includes(stage))
    ?.versionId;
}

/** The secret's tags, without the rotate records the function may write (tested with the rotation core). */
export async function tagsOf(stack: LocalStack, secretName: string): Promise<Record<string, string | undefined>> {
  const described = await stack.client.send(new DescribeSecretCommand({ SecretId: secretName }));
  return Object.fromEntries(
    (described.Tags ?? [])
      .filter((tag) => !tag.Key?.startsWith(ROTATE_RECORD_TAG_PREFIX))
      .map((tag) => [tag.Key, tag.Value]),
  );
}
