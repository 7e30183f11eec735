/**
 * Describes a non-secret value received in bad input for an error message: quoted, control characters escaped,
 * cut to a readable length. Never pass a key to this.
 */
export function describeValue(value: unknown, maxLength = 60): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length > maxLength + 2 ? `${quoted.slice(0, maxLength)}…" (${value.length} characters)` : quoted;
  }
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
