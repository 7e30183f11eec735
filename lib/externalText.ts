/** The longest piece of text from Clerk or AWS that we repeat in a message or a log line. */
export const MAX_EXTERNAL_TEXT_LENGTH = 200;

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
export function externalText(text: string, max: number = MAX_EXTERNAL_TEXT_LENGTH): string {
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
