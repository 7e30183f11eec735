import { CommanderError } from 'commander';
import { buildProgram } from './buildProgram.ts';
import type { CliDeps } from './CliDeps.ts';
import { ExitCode } from './ExitCode.ts';
import { safeText } from './safeText.ts';

export type { CliDeps } from './CliDeps.ts';

/** Commander's own outcomes that are not errors: help asked for (`--help`, `help <command>`) and the version. */
function isSuccess(error: CommanderError): boolean {
  return (
    error.code === 'commander.helpDisplayed' ||
    error.code === 'commander.version' ||
    (error.code === 'commander.help' && error.exitCode === 0)
  );
}

/**
 * Runs the CLI once with `argv` (the arguments after the program name) and returns the exit code; it never calls
 * process.exit, so tests run it in-process with their own streams, clients, fetch and clock.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Parse errors were already printed (with a pointer to --help); help and version are successes.
      return isSuccess(error) ? ExitCode.ok : ExitCode.usage;
    }
    deps.stderr.write(`error: unexpected failure (${safeText(String((error as Error)?.name ?? 'unknown'))})\n`);
    return ExitCode.failed;
  }
}
