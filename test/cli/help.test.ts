/**
 * The CLI's help and argument handling: help for every command with the exit codes, and bad arguments answered with
 * a clear message and exit code 2 — before anything talks to AWS or Clerk.
 */
import { describe, expect, it } from 'vitest';
import { PACKAGE_VERSION } from '../../lib/constants.ts';
import { runInProcess, spawnCli } from './cliTestSupport.ts';

const COMMANDS = ['init', 'status', 'rotate', 'verify', 'repair'] as const;
const EXIT_CODE_LINES = [
  /^\s+0\s+success/m,
  /^\s+1\s+the operation failed/m,
  /^\s+2\s+bad arguments/m,
  /^\s+3\s+AWS or Clerk unreachable/m,
];

describe('CLI: help', () => {
  it('prints the program help with every command, the environment and the exit codes (spawned)', async () => {
    // Act
    const run = await spawnCli(['--help'], {});

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${command} \\[options\\]`, 'm'));
    for (const option of ['--region', '--profile', '--endpoint-url', '--clerk-api-url', '--json', '--no-color']) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toContain('CLERK_SECRET_KEY_SECRET_ID');
    expect(run.stdout).toContain('CLERK_ROTATOR_FUNCTION_LOG');
    for (const line of EXIT_CODE_LINES) expect(run.stdout).toMatch(line);
  });

  it('prints a command help through `help <command>` (spawned)', async () => {
    const run = await spawnCli(['help', 'repair'], {});

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: clerk-rotator repair [options] <secret>');
    expect(run.stdout).toContain('--apply');
    expect(run.stdout).toContain('Dry run unless --apply');
  });

  it.each(COMMANDS)('documents %s with its options, the global options and the exit codes', async (command) => {
    const run = await runInProcess([command, '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: clerk-rotator ${command} [options]`);
    expect(run.stdout).toContain('Global Options:');
    for (const line of EXIT_CODE_LINES) expect(run.stdout).toMatch(line);
  });

  it('documents the options each command needs', async () => {
    const expected: Record<(typeof COMMANDS)[number], string[]> = {
      init: [
        '--name',
        '--adopt',
        '--instance-key-secret',
        '--previous-key-ttl',
        '--rotation-function',
        '--schedule',
        '--show-key',
      ],
      status: ['--stuck-after', '--refresh-window', 'stuck AWSPENDING', 'overlap expired', 'rotation in progress'],
      rotate: ['--wait', '--timeout', '--poll-interval', '--emergency', '--yes'],
      verify: ['--instance-key-secret', 'current-key-is-clerks', 'previous-key-overlap'],
      repair: ['--apply', '--stuck-after', 'promote', 'remove label'],
    };
    for (const command of COMMANDS) {
      const run = await runInProcess([command, '--help']);
      for (const text of expected[command]) expect(run.stdout, `${command} --help`).toContain(text);
    }
  });

  it('prints the version', async () => {
    const run = await runInProcess(['--version']);

    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(PACKAGE_VERSION);
  });
});

describe('CLI: bad arguments', () => {
  it('exits 2 with a clear message for a missing argument (spawned)', async () => {
    const run = await spawnCli(['rotate'], {});

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("error: missing required argument 'secret'");
    expect(run.stderr).toContain('--help');
  });

  it('exits 2 for an unknown option and an invalid value (spawned)', async () => {
    const [unknown, invalid] = await Promise.all([
      spawnCli(['status', 'prod/x', '--bogus'], {}),
      spawnCli(['init', 'not-a-machine', '--name', 'x'], {}),
    ]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown option '--bogus'");
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /machineId.*must be a Clerk machine id \("mch_" plus letters and digits\), got "not-a-machine"/,
    );
  });

  it.each([
    [['status', 'prod/x', '--stuck-after', '-5'], /--stuck-after.*whole number of seconds from 0 to 86400, got "-5"/],
    [['status', 'prod/x', '--refresh-window', 'soon'], /whole number of seconds from 0 to 86400, got "soon"/],
    [['rotate', 'prod/x', '--timeout', '0'], /above 0 and at most 3600, got "0"/],
    [['rotate', 'prod/x', 'extra'], /too many arguments for 'rotate'/],
    [
      ['init', 'mch_abc', '--name', 'a', '--adopt', 'b'],
      /'--adopt <existingSecret>' cannot be used with option '--name/,
    ],
    [['init', 'mch_abc', '--name', 'bad name!'], /must be 1-512 letters, digits and \/_\+=\.@-/],
    [['init', 'mch_abc', '--name', 'a', '--previous-key-ttl', '28801'], /from 0 to 28800, got "28801"/],
    [
      ['init', 'mch_abc', '--name', 'a', '--schedule', 'weekly'],
      /number of days \(1-1000\), rate\(N hours\|days\) or cron/,
    ],
    [['init', 'mch_abc', '--name', 'a', '--rotation-function', 'my-function'], /must be a Lambda function ARN/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[], /Usage: clerk-rotator/],
  ])('exits 2 for %j', async (args, message) => {
    const run = await runInProcess(args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when options that go together come alone, before touching AWS', async () => {
    const env = { CLERK_SECRET_KEY_SECRET_ID: 'clerk/instance-key' };
    const [neither, functionOnly, noInstanceKey] = await Promise.all([
      runInProcess(['init', 'mch_abc'], { env }),
      runInProcess(
        ['init', 'mch_abc', '--name', 'a', '--rotation-function', 'arn:aws:lambda:us-east-1:123456789012:function:f'],
        { env },
      ),
      runInProcess(['init', 'mch_abc', '--name', 'a'], { env: {} }),
    ]);

    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--name <secretName> creates a new secret, --adopt <existingSecret>');
    expect(functionOnly.code).toBe(2);
    expect(functionOnly.stderr).toContain('--rotation-function and --schedule go together');
    expect(noInstanceKey.code).toBe(2);
    expect(noInstanceKey.stderr).toContain('no instance-key secret: pass --instance-key-secret <id>');
    expect(noInstanceKey.stderr).toContain('clerk-rotator init --help');
  });

  it('exits 2 for a Clerk API URL that is neither https nor loopback http', async () => {
    const run = await runInProcess(['--clerk-api-url', 'http://clerk.example.com/v1', 'status', 'prod/x']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--clerk-api-url: must be an https URL');
  });

  it('reports a usage error as JSON too with --json', async () => {
    const run = await runInProcess(['--json', 'init', 'mch_abc', '--name', 'a'], { env: {} });

    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; error: { message: string } };
    expect(document).toMatchObject({ ok: false, exitCode: 2 });
    expect(document.error.message).toContain('no instance-key secret');
  });
});
