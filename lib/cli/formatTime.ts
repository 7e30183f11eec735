/** A duration for people: "0 s", "42 s", "3 min 5 s", "7 h 59 min", "29 d 23 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** An instant as ISO-8601 UTC to the second: 2026-11-30T12:00:00Z. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "in 7 h 59 min" or "3 min ago" relative to `now`. */
export function formatRelative(ms: number, now: number): string {
  return ms >= now ? `in ${formatDuration(ms - now)}` : `${formatDuration(now - ms)} ago`;
}

/** "2026-11-30T12:00:00Z (3 min ago)". */
export function formatWhen(ms: number, now: number): string {
  return `${formatInstant(ms)} (${formatRelative(ms, now)})`;
}

/** ISO-8601 with milliseconds for JSON output, or null. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
