#!/usr/bin/env node
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../Clock.ts';
import { ExitCode } from './ExitCode.ts';
import { runCli } from './runCli.ts';

// Only wiring: the process's streams, environment, terminal, clock and clients. Everything else is in runCli.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C stops waiting (an emergency rotation then restores its tags); a second one exits at once.
  if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
  interrupt.abort();
});

// Output piped into `head` and closed early is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.ok);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  isTTY: { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true },
  createSecretsManagerClient: (config) => new SecretsManagerClient(config),
  fetch: globalThis.fetch,
  clock: systemClock,
  signal: interrupt.signal,
});
