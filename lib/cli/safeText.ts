import { externalText } from '../externalText.ts';

/**
 * The longest line the CLI prints. Above any line of its own (the longest, a repair step's AWS CLI command with a
 * 512-character secret name in its ARN, stays under 900), far below what a hostile body could carry (Clerk's reader
 * accepts 256 KiB).
 */
export const MAX_TEXT_LENGTH = 1_000;
/**
 * The longest JSON string value, as written (escapes counted), so that a line of the pretty-printed document — the
 * indentation and key in front, the comma after — stays within MAX_TEXT_LENGTH too.
 */
export const MAX_JSON_STRING_LENGTH = MAX_TEXT_LENGTH - 100;

/** Text fit for a terminal line or a JSON string: lib/externalText.ts, cut at the CLI's line length. */
export function safeText(text: string, max: number = MAX_TEXT_LENGTH): string {
  return externalText(text, max);
}

/** `safeText`, cut further until its JSON form (quotes and backslashes escaped) fits MAX_JSON_STRING_LENGTH. */
function safeJsonString(text: string): string {
  let max = MAX_JSON_STRING_LENGTH;
  let safe = safeText(text, max);
  for (let written = JSON.stringify(safe).length - 2; written > MAX_JSON_STRING_LENGTH; ) {
    max -= written - MAX_JSON_STRING_LENGTH;
    safe = safeText(text, max);
    written = JSON.stringify(safe).length - 2;
  }
  return safe;
}

/** Every string of a JSON value (as JSON.stringify would write it; keys are the CLI's own) made safe and short. */
export function safeDocument(value: unknown): unknown {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return safeJsonString(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, entry]) => [key, walk(entry)]));
    }
    return node;
  };
  // The round trip applies toJSON (Redacted, Date) and drops undefined, so only plain data is walked.
  const json = JSON.stringify(value);
  return json === undefined ? null : walk(JSON.parse(json));
}

/** Multi-line text (commander's help and parse errors) line by line through `safeText`. */
export function safeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => safeText(line))
    .join('\n');
}
