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

// Terminal control in every form a terminal acts on: ESC sequences (CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC strings
// up to BEL or ST, and two-character escapes), their 8-bit C1 forms, every other C0/C1 character and DEL, and the
// Unicode controls that reorder or break what is shown (bidi overrides and isolates, line and paragraph separators).
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -~]?/g;
const LINE_BREAKING = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const OTHER_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Half of a surrogate pair on its own is no character at all (JSON would write it as a \u escape). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text fit for a terminal line or a JSON string: terminal control removed (line breaks, tabs and CR become one
 * space, so nothing can start a line of its own or overwrite one), then cut to `max` characters with "…". The
 * renderer passes everything it prints through this, so a value from Clerk or AWS (an error code, a trace id, a
 * message, a secret name or tag) can neither steer the terminal nor flood it.
 */
export function safeText(text: string, max: number = MAX_TEXT_LENGTH): string {
  const clean = text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(LINE_BREAKING, ' ')
    .replace(OTHER_CONTROL, '')
    .replace(LONE_SURROGATE, '\ufffd');
  if (clean.length <= max) return clean;
  let end = max - 1;
  // Do not leave half of a surrogate pair behind.
  const last = clean.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${clean.slice(0, end)}…`;
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
