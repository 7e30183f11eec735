/**
 * The busiest 10 seconds of a month, from a Poisson process: the largest number of events that any sliding window
 * holds over a stretch of time, by Naus's approximation of the scan statistic (Naus 1982, "Approximations for
 * distributions of scan statistics", JASA 77; as given in Glaz, Naus & Wallenstein, "Scan Statistics", 2001). Exact
 * formulas exist only for short stretches; this one is within a few percent for the stretches used here, which
 * test/budget/peakCount.test.ts checks against a simulation.
 */

/** A stretch of time at a steady rate: `windows` window lengths long, `meanPerWindow` events per window on average. */
export interface PoissonStretch {
  readonly meanPerWindow: number;
  readonly windows: number;
  /** How many such stretches (e.g. one per day of the month). @default 1 */
  readonly count?: number;
}

function logFactorial(k: number): number {
  let sum = 0;
  for (let i = 2; i <= k; i++) sum += Math.log(i);
  return sum;
}

function pmf(k: number, mean: number): number {
  if (k < 0) return 0;
  if (mean === 0) return k === 0 ? 1 : 0;
  return Math.exp(k * Math.log(mean) - mean - logFactorial(k));
}

function cdf(k: number, mean: number): number {
  if (k < 0) return 0;
  let sum = 0;
  let term = Math.exp(-mean);
  for (let i = 0; i <= k; i++) {
    if (i > 0) term *= mean / i;
    sum += term;
  }
  return Math.min(1, sum);
}

/** Naus's Q2: the probability that no window within two window lengths holds `n` or more events. */
function q2(n: number, mean: number): number {
  const p = (k: number) => pmf(k, mean);
  const f = (k: number) => cdf(k, mean);
  return f(n - 1) ** 2 - (n - 1) * p(n) * p(n - 2) - (n - 1 - mean) * p(n) * f(n - 3);
}

/** Naus's Q3: the same within three window lengths. */
function q3(n: number, mean: number): number {
  const p = (k: number) => pmf(k, mean);
  const f = (k: number) => cdf(k, mean);
  const a1 = 2 * p(n) * f(n - 1) * ((n - 1) * f(n - 2) - mean * f(n - 3));
  const a2 = 0.5 * p(n) ** 2 * ((n - 1) * (n - 2) * f(n - 3) - 2 * (n - 2) * mean * f(n - 4) + mean ** 2 * f(n - 5));
  let a3 = 0;
  for (let r = 1; r <= n - 1; r++) a3 += p(2 * n - r) * f(r - 1) ** 2;
  let a4 = 0;
  for (let r = 2; r <= n - 1; r++) a4 += p(2 * n - r) * p(r) * ((r - 1) * f(r - 2) - mean * f(r - 3));
  return f(n - 1) ** 3 - a1 + a2 + a3 - a4;
}

/** log P(no sliding window of the stretch holds `n` or more events). */
export function logProbabilityBelow(n: number, stretch: PoissonStretch): number {
  if (stretch.meanPerWindow <= 0 || stretch.windows <= 0) return 0;
  if (n <= 0) return Number.NEGATIVE_INFINITY;
  const count = stretch.count ?? 1;
  const two = q2(n, stretch.meanPerWindow);
  const three = q3(n, stretch.meanPerWindow);
  if (!(two > 0 && three > 0)) return Number.NEGATIVE_INFINITY;
  // A stretch shorter than two windows is counted as two: it can only make the answer larger.
  const length = Math.max(2, stretch.windows);
  return count * (Math.log(two) + (length - 2) * (Math.log(three) - Math.log(two)));
}

/** P(some sliding window, in any of the stretches, holds `n` or more events); the stretches are independent. */
export function probabilityOfAtLeast(n: number, stretches: readonly PoissonStretch[]): number {
  let logBelow = 0;
  for (const stretch of stretches) logBelow += logProbabilityBelow(n, stretch);
  return -Math.expm1(logBelow);
}

/**
 * The peak: the smallest count that the busiest window exceeds with probability at most `exceedance` (0.5: the
 * median month's busiest window; 0.01: a month has a busier window once in a hundred).
 */
export function peakCount(stretches: readonly PoissonStretch[], exceedance: number): number {
  const busy = stretches.filter((stretch) => stretch.meanPerWindow > 0 && stretch.windows > 0);
  if (busy.length === 0) return 0;
  let n = Math.floor(Math.max(...busy.map((stretch) => stretch.meanPerWindow)));
  while (probabilityOfAtLeast(n + 1, busy) > exceedance) n += 1;
  return n;
}
