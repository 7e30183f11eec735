import type { TextSink } from './CliDeps.ts';
import { redactKeys } from './redactKeys.ts';

export interface Styles {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** How commands print: lines or one JSON document on stdout, messages on stderr; keys never, except on request. */
export interface Output {
  /** `--json`: a command prints exactly one JSON document on stdout and no prose. */
  readonly json: boolean;
  readonly styles: Styles;
  /** A line of the human-readable result (suppressed with --json). */
  line(text?: string): void;
  /** A warning or error message for the operator, on stderr. */
  message(text: string): void;
  /** The one JSON document of a --json run; keys are redacted unless `revealKeys` (`init --show-key --json`). */
  document(value: unknown, options?: { readonly revealKeys?: boolean }): void;
  /** A question for the operator, on stderr, without a line break. */
  prompt(text: string): void;
  /** Writes `text` to stdout as is: the one way a key reaches the terminal (`init --show-key`). */
  revealed(text: string): void;
}

export interface OutputOptions {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly json: boolean;
  readonly color: boolean;
}

const ANSI = { ok: 32, bad: 31, warn: 33, dim: 2, bold: 1 } as const;

function createStyles(color: boolean): Styles {
  const paint = (code: number) => (text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    ok: paint(ANSI.ok),
    bad: paint(ANSI.bad),
    warn: paint(ANSI.warn),
    dim: paint(ANSI.dim),
    bold: paint(ANSI.bold),
  };
}

/** Colour only when stdout is a terminal, NO_COLOR is unset or empty, and --no-color was not given. */
export function shouldUseColor(options: {
  readonly colorOption: boolean;
  readonly stdoutIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}): boolean {
  const noColor = options.env.NO_COLOR;
  return options.colorOption && options.stdoutIsTTY && (noColor === undefined || noColor === '');
}

export function createOutput(options: OutputOptions): Output {
  const styles = createStyles(options.color && !options.json);
  return {
    json: options.json,
    styles,
    line(text = '') {
      if (!options.json) options.stdout.write(`${redactKeys(text)}\n`);
    },
    message(text) {
      options.stderr.write(`${redactKeys(text)}\n`);
    },
    document(value, documentOptions) {
      const text = JSON.stringify(value, null, 2);
      options.stdout.write(`${documentOptions?.revealKeys ? text : redactKeys(text)}\n`);
    },
    prompt(text) {
      options.stderr.write(redactKeys(text));
    },
    revealed(text) {
      options.stdout.write(text);
    },
  };
}
