// `npm run local-stack`: both emulators on fixed loopback ports with the real rotation function, a Clerk machine
// and its secrets, until Ctrl-C. Prints what to export so apps, the CLI and awscli can use it; the rotation
// function's log lines follow on this terminal, or go only to the file given with --log-file. Either way they are
// also in a file the CLI reads (CLERK_ROTATOR_FUNCTION_LOG) to explain a failed rotation.
import { createWriteStream, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliEnvVar } from '../lib/cli/CliDefaults.ts';
import { LOCAL_STACK_USAGE, parseLocalStackArgs } from '../localstack/parseLocalStackArgs.ts';
import { startLocalStack } from '../localstack/startLocalStack.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);

let cli: ReturnType<typeof parseLocalStackArgs>;
try {
  cli = parseLocalStackArgs(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`local-stack: ${(error as Error).message}\n${LOCAL_STACK_USAGE}\n`);
  process.exit(2);
}
if (cli.help) {
  out(LOCAL_STACK_USAGE);
  process.exit(0);
}

const onTerminal = cli.logFile === undefined;
const logPath =
  cli.logFile === undefined
    ? join(mkdtempSync(join(tmpdir(), 'clerk-rotator-local-stack-')), 'rotation-function.log')
    : resolve(cli.logFile);
let logFd: number;
try {
  logFd = openSync(logPath, 'a');
} catch (error) {
  process.stderr.write(
    `local-stack: --log-file cannot be opened for appending (${(error as NodeJS.ErrnoException).code}): ${logPath}\n`,
  );
  process.exit(2);
}
const logFile = createWriteStream('', { fd: logFd });
// On the terminal, lines logged while the stack starts wait until the exports are printed.
const held: string[] = [];
let bannerShown = false;
const writeLog = (line: string) => {
  logFile.write(`${line}\n`);
  if (!onTerminal) return;
  if (bannerShown) out(line);
  else held.push(line);
};

const stack = await startLocalStack({
  clock: 'system',
  clerkPort: cli.clerkPort,
  secretsManagerPort: cli.secretsManagerPort,
  rotation: 'async',
  functionEnv: cli.functionEnv,
  writeLog,
});
const machine = await stack.addMachine({ name: 'demo-worker' });
out('# Local stack running: Clerk emulator and Secrets Manager emulator with the rotation function.');
out(`# Machine ${machine.machineId}; its secret: ${machine.secretName} (rotation enabled).`);
out(`# Rotation function: ${stack.functionArn}`);
for (const [name, value] of Object.entries(cli.functionEnv)) out(`#   ${name}=${value}`);
out(`# Rotation function log: ${onTerminal ? `below, one JSON object per line, and in ${logPath}` : logPath}`);
out('# Paste into a shell:');
for (const [name, value] of Object.entries(stack.environment())) out(`export ${name}=${value}`);
out(`export MACHINE_SECRET_ID=${machine.secretName}`);
out(`export ${CliEnvVar.functionLog}=${logPath}`);
out('# Ctrl-C stops it.');
bannerShown = true;
for (const line of held.splice(0)) out(line);

const stop = async () => {
  await stack.close();
  await new Promise<void>((done) => logFile.end(done));
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
