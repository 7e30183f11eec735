import type { CliContext } from '../CliContext.ts';
import type { ExitCode } from '../ExitCode.ts';

/** A command's work: parsed positional arguments and its own options in, an exit code out. */
export type CommandBody<Options> = (ctx: CliContext, args: string[], options: Options) => Promise<ExitCode>;

/**
 * Wraps a command body as a commander action: builds the context from the global options, reports any error with its
 * exit code, and closes the clients.
 */
export type ActionRunner = <Options>(
  command: string,
  body: CommandBody<Options>,
) => (...actionArgs: unknown[]) => Promise<void>;
