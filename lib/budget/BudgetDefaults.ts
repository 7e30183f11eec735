/**
 * The rate budget's defaults and fixed facts; docs/decisions/014-rate-budget.md says why each is what it is.
 */
export const BudgetDefaults = {
  /**
   * The share of a Clerk instance's rate limit kept for the apps' own traffic (M2M tokens created and verified): the
   * rotator's rotations and verification must fit in the rest.
   */
  appsShareOfRateLimit: 0.5,
  /** A predicted peak at or above this share of the rotator's budget is worth a warning. */
  warnAtShareOfBudget: 0.8,
  /** The peak is the busiest 10 seconds of this many days. */
  horizonDays: 30,
  /** …that a horizon exceeds with at most this probability. */
  exceedance: 0.01,
} as const;

/**
 * Clerk calls one clean rotation makes: createSecret 2 (read the current key, rotate), testSecret 1, finishSecret 1
 * (test/unit/rotation.test.ts counts them; test/budget/callsPerRotation.test.ts keeps this number equal to that count).
 * The budget counts them as arriving together, which a rotation's few seconds of steps nearly are.
 */
export const CLERK_CALLS_PER_ROTATION = 4;

/** Clerk's limits are per 10 seconds. */
export const RATE_WINDOW_SECONDS = 10;
