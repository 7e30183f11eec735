import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLocalStackArgs } from '../../localstack/parseLocalStackArgs.ts';

/** awscli on PATH or in pyenv's shims, if it answers `--version` (a shim exists even without the package). */
const findAwsCli = (): string | undefined => {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.pyenv', 'shims')].filter(Boolean);
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, 'aws');
    if (
      existsSync(candidate) &&
      spawnSync(candidate, ['--version'], { stdio: 'ignore', timeout: 15_000 }).status === 0
    ) {
      return candidate;
    }
  }
  return undefined;
};
const awsCli = findAwsCli();
if (awsCli === undefined) {
  console.warn('[localStackScript] awscli tests skipped: no `aws` on PATH or in ~/.pyenv/shims (pip install awscli).');
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const waitFor = async (what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Starts `scripts/local-stack.ts` on free ports and waits for its banner. */
const startScript = async (args: string[]) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack.ts', ...args], {
    env: { ...process.env, LOCAL_STACK_CLERK_PORT: '0', LOCAL_STACK_SECRETS_MANAGER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  await waitFor('the banner', () => output.stdout.includes('Ctrl-C stops it'));
  const exports = Object.fromEntries([...output.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return { child, output, exports: exports as Record<string, string> };
};

/** Log lines of the rotation function: JSON objects with a step. */
const steps = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { step?: string; outcome?: string })
    .filter((entry) => entry.step !== undefined && entry.outcome !== undefined)
    .map((entry) => `${entry.step}:${entry.outcome}`);

describe('Function: parseLocalStackArgs', () => {
  it('turns the seconds options into the rotation function’s variables and reads the ports', () => {
    const parsed = parseLocalStackArgs(
      ['--previous-key-ttl', '120', '--min-rotation-interval=0', '--landing-horizon', '30', '--log-file', 'x.log'],
      { LOCAL_STACK_CLERK_PORT: '0' },
    );
    expect(parsed).toEqual({
      clerkPort: 0,
      secretsManagerPort: 4566,
      logFile: 'x.log',
      functionEnv: {
        PREVIOUS_KEY_TTL_SECONDS: '120',
        MIN_ROTATION_INTERVAL_SECONDS: '0',
        ROTATE_LANDING_HORIZON_SECONDS: '30',
      },
      help: false,
    });
    expect(parseLocalStackArgs([], {}).functionEnv).toEqual({});
  });

  it.each([
    [
      ['--previous-key-ttl', '28801'],
      '--previous-key-ttl must be a whole number of seconds from 0 to 28800, got "28801"',
    ],
    [['--landing-horizon', '5'], '--landing-horizon must be a whole number of seconds from 10 to 3600, got "5"'],
    [['--min-rotation-interval', '1.5'], '--min-rotation-interval must be a whole number of seconds from 0 to 86400'],
    [['--previous-key-tll', '60'], "command line is not understood: Unknown option '--previous-key-tll'"],
  ])('refuses %j with a one-line message', (argv, message) => {
    expect(() => parseLocalStackArgs(argv, {})).toThrow(message);
  });
});

describe('npm run local-stack (spawned)', () => {
  it('writes the rotation function’s log lines to the terminal after the exports', async () => {
    const { child, output, exports } = await startScript(['--previous-key-ttl', '60']);
    const client = new SecretsManagerClient({
      region: exports.AWS_REGION,
      endpoint: exports.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      credentials: {
        accessKeyId: exports.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: exports.AWS_SECRET_ACCESS_KEY ?? '',
      },
    });

    await client.send(new RotateSecretCommand({ SecretId: exports.MACHINE_SECRET_ID, RotateImmediately: true }));
    await waitFor('finishSecret in the log', () => steps(output.stdout).some((s) => s.startsWith('finishSecret')));
    client.destroy();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');

    expect(output.stdout).toContain('#   PREVIOUS_KEY_TTL_SECONDS=60');
    expect(output.stdout).toContain('# Rotation function log: below, one JSON object per line');
    const afterBanner = output.stdout.slice(output.stdout.indexOf('Ctrl-C stops it'));
    expect(steps(afterBanner).map((s) => s.split(':')[0])).toEqual(
      expect.arrayContaining(['testSecret', 'createSecret', 'setSecret', 'finishSecret']),
    );
    expect(code).toBe(0);
  });

  it('refuses an out-of-range option with exit code 2 and the usage', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack.ts', '--landing-horizon', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^local-stack: --landing-horizon must be a whole number of seconds from 10 to 3600, got "0"\n/,
    );
    expect(stderr).toContain('Usage: npm run local-stack');
  });

  it.skipIf(awsCli === undefined)(
    'serves awscli v1 with nothing but the exports, and writes the log to --log-file, named at start',
    async () => {
      // Prepare
      const dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
      dirs.push(dir);
      const logPath = join(dir, 'rotation.log');
      const { child, output, exports } = await startScript([
        '--log-file',
        logPath,
        '--previous-key-ttl',
        '120',
        '--min-rotation-interval',
        '0',
        '--landing-horizon',
        '30',
      ]);
      // awscli sees only the exports: no inherited AWS_* variables, no ~/.aws files.
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? homedir(),
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        ...exports,
      };
      const aws = (...args: string[]) => {
        const run = spawnSync(awsCli ?? 'aws', ['secretsmanager', ...args, '--output', 'json'], {
          env,
          encoding: 'utf8',
        });
        if (run.status !== 0) throw new Error(`aws ${args[0]} exited ${run.status}: ${run.stderr.trim()}`);
        return JSON.parse(run.stdout) as Record<string, unknown>;
      };
      const secretId = exports.MACHINE_SECRET_ID ?? '';
      // Act
      const before = aws('describe-secret', '--secret-id', secretId);
      const rotated = aws('rotate-secret', '--secret-id', secretId);
      await waitFor('finishSecret in the log file', () =>
        steps(readFileSync(logPath, 'utf8')).some((s) => s.startsWith('finishSecret')),
      );
      const value = aws('get-secret-value', '--secret-id', secretId);
      const secret = JSON.parse(String(value.SecretString)) as { rotatedAt: string; previousKeyExpiresAt: string };
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      // Assess
      expect(exports.AWS_DEFAULT_REGION).toBe(exports.AWS_REGION);
      expect(output.stdout).toContain(`# Rotation function log: ${logPath}`);
      expect(output.stdout).toContain('#   MIN_ROTATION_INTERVAL_SECONDS=0');
      expect(output.stdout).toContain('#   ROTATE_LANDING_HORIZON_SECONDS=30');
      expect(before.RotationEnabled).toBe(true);
      expect(value.VersionId).toBe(rotated.VersionId);
      // The previous key's overlap is the 120 s asked for (not the 8 h default), give or take the calls in between.
      const overlapMs = Date.parse(secret.previousKeyExpiresAt) - Date.parse(secret.rotatedAt);
      expect(overlapMs).toBeGreaterThan(115_000);
      expect(overlapMs).toBeLessThanOrEqual(120_000);
      expect(steps(readFileSync(logPath, 'utf8')).map((s) => s.split(':')[0])).toEqual(
        expect.arrayContaining(['testSecret', 'createSecret', 'setSecret', 'testSecret', 'finishSecret']),
      );
      expect(steps(output.stdout)).toEqual([]);
      expect(code).toBe(0);
    },
    60_000,
  );
});
