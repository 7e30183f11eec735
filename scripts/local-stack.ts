// `npm run local-stack`: both emulators on fixed loopback ports with the real rotation function, a Clerk machine
// and its secrets, until Ctrl-C. Prints what to export so apps and the CLI can use it; the rotation function's JSON
// log lines go to a file, which the CLI reads to explain a failed rotation.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliEnvVar } from '../lib/cli/CliDefaults.ts';
import { startLocalStack } from '../localstack/startLocalStack.ts';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    process.stderr.write(`${name} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const functionLog = join(mkdtempSync(join(tmpdir(), 'clerk-rotator-local-stack-')), 'rotation-function.log');
const stack = await startLocalStack({
  writeLog: (line) => appendFileSync(functionLog, `${line}\n`),
  clock: 'system',
  clerkPort: port('LOCAL_STACK_CLERK_PORT', 4010),
  secretsManagerPort: port('LOCAL_STACK_SECRETS_MANAGER_PORT', 4566),
  rotation: 'async',
});
const machine = await stack.addMachine({ name: 'demo-worker' });
const out = (line = '') => process.stdout.write(`${line}\n`);
out('# Local stack running: Clerk emulator and Secrets Manager emulator with the rotation function.');
out(`# Machine ${machine.machineId}; its secret: ${machine.secretName} (rotation enabled).`);
out(`# Rotation function: ${stack.functionArn}; its log lines: ${functionLog}`);
out('# Paste into a shell:');
for (const [name, value] of Object.entries(stack.environment())) out(`export ${name}=${value}`);
out(`export ${CliEnvVar.functionLog}=${functionLog}`);
out(`export MACHINE_SECRET_ID=${machine.secretName}`);
out('# Ctrl-C stops it.');

const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
