/** When the last rotation happened, as far as the secret can tell, and how that was decided. */
export interface LastRotation {
  /** Epoch ms; undefined when nothing trustworthy says when. */
  readonly at: number | undefined;
  /** A timestamp that was ignored because it lies in the future (the value's `rotatedAt`), for a warning. */
  readonly ignoredFutureRotatedAt?: string | undefined;
}

/** What the guard needs; `rotatedAt` from AWSCURRENT's value, `lastRotatedDate` from DescribeSecret (epoch ms). */
export interface LastRotationInput {
  readonly rotatedAt: string | undefined;
  readonly lastRotatedDate: number | undefined;
}

/** Clocks disagree by a little; a `rotatedAt` at most this far ahead of ours is taken as "now". */
const CLOCK_SKEW_MS = 60_000;

/**
 * The last rotation is the later of the value's `rotatedAt` (when createSecret staged the key) and Secrets Manager's
 * LastRotatedDate (when a rotation finished — apps start reading the new key only then). A `rotatedAt` in the future
 * is not believed: it would refuse every rotation until then, so it is ignored (and reported) instead.
 */
export function lastRotation(input: LastRotationInput, now: number): LastRotation {
  const parsed = input.rotatedAt === undefined ? Number.NaN : Date.parse(input.rotatedAt);
  const future = Number.isFinite(parsed) && parsed > now + CLOCK_SKEW_MS;
  const rotatedAt = Number.isFinite(parsed) && !future ? Math.min(parsed, now) : undefined;
  const candidates = [rotatedAt, input.lastRotatedDate].filter(
    (value): value is number => value !== undefined && Number.isFinite(value) && value <= now + CLOCK_SKEW_MS,
  );
  return {
    at: candidates.length === 0 ? undefined : Math.min(now, Math.max(...candidates)),
    ...(future ? { ignoredFutureRotatedAt: input.rotatedAt } : {}),
  };
}

/** How long until another rotation at Clerk is allowed; 0 when it is allowed now. */
export function minimumIntervalWaitMs(last: LastRotation, minRotationIntervalSeconds: number, now: number): number {
  if (last.at === undefined || minRotationIntervalSeconds <= 0) return 0;
  return Math.max(0, last.at + minRotationIntervalSeconds * 1000 - now);
}
