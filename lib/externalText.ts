/** The longest piece of text from Clerk or AWS that we repeat in a message, a log line or the terminal. */
export const MAX_EXTERNAL_TEXT_LENGTH = 200;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides that can reorder a line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from outside (a Clerk error code or trace id, an SDK message) as data: control characters — and
 * with them ESC/CSI/OSC sequences, CR and BEL — become "?", and the result is capped, so a hostile or broken peer
 * can neither forge a line on an operator's terminal nor flood a log line.
 */
export function externalText(value: string, max: number = MAX_EXTERNAL_TEXT_LENGTH): string {
  const clean = value.replace(UNSAFE, '?');
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length} characters)` : clean;
}
