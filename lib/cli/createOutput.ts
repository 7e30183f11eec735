import type { TextSink } from './CliDeps.ts';
import type { ExitCode } from './ExitCode.ts';
import { redactKeys } from './redactKeys.ts';
import { MAX_TEXT_LENGTH, safeDocument, safeText } from './safeText.ts';

export type Tone = 'ok' | 'bad' | 'warn' | 'dim' | 'bold';

/** A piece of a line: plain text, text in a tone (coloured on a terminal), or a key shown on request. */
export type Segment = string | { readonly tone: Tone; readonly text: string } | { readonly revealed: string };
/** One line of text output: a string, or segments printed side by side. */
export type Line = string | readonly Segment[];

/** Text in a tone; the renderer colours it (after making it safe) when colour is on. */
export const tone: Readonly<Record<Tone, (text: string) => Segment>> = {
  ok: (text) => ({ tone: 'ok', text }),
  bad: (text) => ({ tone: 'bad', text }),
  warn: (text) => ({ tone: 'warn', text }),
  dim: (text) => ({ tone: 'dim', text }),
  bold: (text) => ({ tone: 'bold', text }),
};

/** What a command's report looks like in each form; `Output.render` prints one of them. */
export interface ReportView {
  readonly exitCode: ExitCode;
  /** The text form, on stdout (not printed with --json). */
  readonly lines: readonly Line[];
  /** Lines on stderr in both forms: why something failed. */
  readonly messages?: readonly Line[];
  /** The --json form: exactly one document on stdout. */
  readonly document: Readonly<Record<string, unknown>>;
  /** `init --show-key`: the key may appear in the document (text shows it only through a `revealed` segment). */
  readonly revealKeys?: boolean;
}

/**
 * The one way the CLI prints. Every string goes through `safeText` (no terminal control, no line or JSON string
 * longer than MAX_TEXT_LENGTH) and then `redactKeys`, whatever its origin; colour is added afterwards, by tone.
 */
export interface Output {
  /** `--json`: one JSON document on stdout and no prose there. */
  readonly json: boolean;
  /** A progress line on stdout while a command runs (not with --json). */
  line(...segments: Segment[]): void;
  /** A note, warning or error for the operator, on stderr. */
  message(...segments: Segment[]): void;
  /** A question for the operator, on stderr, without a line break. */
  prompt(text: string): void;
  /** Prints a report in the form asked for and returns its exit code. */
  render(view: ReportView): ExitCode;
}

export interface OutputOptions {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly json: boolean;
  readonly color: boolean;
}

const ANSI: Record<Tone, number> = { ok: 32, bad: 31, warn: 33, dim: 2, bold: 1 };

/** Colour only when stdout is a terminal, NO_COLOR is unset or empty, and --no-color was not given. */
export function shouldUseColor(options: {
  readonly colorOption: boolean;
  readonly stdoutIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}): boolean {
  const noColor = options.env.NO_COLOR;
  return options.colorOption && options.stdoutIsTTY && (noColor === undefined || noColor === '');
}

function partsOf(segment: Segment): { text: string; tone: Tone | undefined; revealed: boolean } {
  if (typeof segment === 'string') return { text: segment, tone: undefined, revealed: false };
  if ('revealed' in segment) return { text: segment.revealed, tone: undefined, revealed: true };
  return { text: segment.text, tone: segment.tone, revealed: false };
}

/** The line as it is printed: safe, within the length cap as a whole, keys redacted (unless revealed), coloured. */
function renderLine(line: Line, color: boolean): string {
  let budget = MAX_TEXT_LENGTH;
  let text = '';
  for (const segment of typeof line === 'string' ? [line] : line) {
    if (budget <= 0) break;
    const parts = partsOf(segment);
    // Stripped first (so a key split by control characters is whole again), then redacted, then cut to length.
    const stripped = safeText(parts.text, Number.POSITIVE_INFINITY);
    const shown = parts.revealed ? stripped : redactKeys(stripped);
    const fitted = shown.length > budget ? safeText(shown, budget) : shown;
    budget -= fitted.length;
    text += color && parts.tone !== undefined ? `\u001b[${ANSI[parts.tone]}m${fitted}\u001b[0m` : fitted;
  }
  return text;
}

export function createOutput(options: OutputOptions): Output {
  const color = options.color && !options.json;
  const write = (sink: TextSink, line: Line) => sink.write(`${renderLine(line, color)}\n`);
  return {
    json: options.json,
    line(...segments) {
      if (!options.json) write(options.stdout, segments);
    },
    message(...segments) {
      write(options.stderr, segments);
    },
    prompt(text) {
      options.stderr.write(renderLine(text, false));
    },
    render(view) {
      const messages = view.messages ?? [];
      if (options.json) {
        for (const line of messages) write(options.stderr, line);
        const text = JSON.stringify(safeDocument(view.document), null, 2);
        options.stdout.write(`${view.revealKeys ? text : redactKeys(text)}\n`);
      } else {
        for (const line of view.lines) write(options.stdout, line);
        for (const line of messages) write(options.stderr, line);
      }
      return view.exitCode;
    },
  };
}
