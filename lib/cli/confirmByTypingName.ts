import { createInterface } from 'node:readline';
import type { CliContext } from './CliContext.ts';
import { tone } from './createOutput.ts';
import { UsageError } from './errors.ts';

/** Reads one line from stdin; undefined when stdin ends first. */
export function readLine(stdin: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: stdin, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/**
 * Asks the operator to type the secret's name (or exactly what they passed) before something irreversible. Refuses
 * without a terminal: a script must say `--yes` explicitly.
 */
export async function confirmByTypingName(
  ctx: Pick<CliContext, 'isTTY' | 'stdin' | 'output'>,
  input: { readonly name: string; readonly given: string; readonly warning: string; readonly command: string },
): Promise<void> {
  if (!ctx.isTTY.stdin) {
    throw new UsageError(
      `${input.command} needs a confirmation (typing the secret name) and stdin is not a terminal: pass --yes to confirm without a prompt`,
      input.command.split(' ')[0],
    );
  }
  ctx.output.message(tone.warn(input.warning));
  ctx.output.prompt(`Type the secret name (${input.name}) to confirm: `);
  const answer = (await readLine(ctx.stdin))?.trim();
  if (answer !== input.name && answer !== input.given) {
    throw new UsageError(
      `not confirmed: expected the secret name ${input.name}, got ${answer === undefined ? 'no answer' : JSON.stringify(answer)}; nothing was changed`,
      input.command.split(' ')[0],
    );
  }
}
