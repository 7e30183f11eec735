/**
 * The most of `times` (ms) that any window `[t, t + windowMs)` holds, over every start `t`: what a sliding-window
 * limiter would see at its worst, and never less than what a fixed-window one (Clerk's) sees.
 */
export function peakPerWindow(times: readonly number[], windowMs: number): number {
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}
