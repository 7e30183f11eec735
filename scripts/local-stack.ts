// `npm run local-stack`: both emulators on fixed loopback ports with the real rotation function, a Clerk machine
// and its secrets, until Ctrl-C. Prints what to export so apps, the CLI and awscli can use it; the rotation
// function's log lines follow on this terminal, or go to the file given with --log-file.
import { createWriteStream, openSync } from 'node:fs';
import { resolve } from 'node:path';
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

const logPath = cli.logFile === undefined ? undefined : resolve(cli.logFile);
let logFd: number | undefined;
try {
  logFd = logPath === undefined ? undefined : openSync(logPath, 'a');
} catch (error) {
  process.stderr.write(
    `local-stack: --log-file cannot be opened for appending (${(error as NodeJS.ErrnoException).code}): ${logPath}\n`,
  );
  process.exit(2);
}
const logFile = logFd === undefined ? undefined : createWriteStream('', { fd: logFd });
// On the terminal, lines logged while the stack starts wait until the exports are printed.
const held: string[] = [];
let bannerShown = false;
const writeLog = (line: string) => {
  if (logFile !== undefined) logFile.write(`${line}\n`);
  else if (bannerShown) out(line);
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
out(`# Rotation function log: ${logPath ?? 'below, one JSON object per line'}`);
out('# Paste into a shell:');
for (const [name, value] of Object.entries(stack.environment())) out(`export ${name}=${value}`);
out(`export MACHINE_SECRET_ID=${machine.secretName}`);
out('# Ctrl-C stops it.');
bannerShown = true;
for (const line of held.splice(0)) out(line);

const stop = async () => {
  await stack.close();
  await new Promise<void>((done) => (logFile === undefined ? done() : logFile.end(done)));
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
