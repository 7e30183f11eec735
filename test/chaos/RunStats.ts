/** What the runs of a shard saw, summed for the summary line (plain data: a worker thread posts it). */
export interface RunStats {
  functionCalls: number;
  /** RotateSecret calls that started a rotation, and those refused because one was pending. */
  rotationsStarted: number;
  rotationsRefusedPending: number;
  /** `reattempt` actions that found a pending rotation, and those among them that delivered a step twice. */
  reattempts: number;
  reattemptsTwice: number;
  faultsFired: number;
  /** Clerk rotates held by the run and landed on its clock, inside and beyond their landing horizon. */
  landedWithinHorizon: number;
  landedBeyondHorizon: number;
  duplicatesRun: number;
  dashboardRotations: number;
  pendingRemovedByOperator: number;
  clockJumps: number;
  /** Invocations that failed, by the error code of their log line (ROTATE_IN_FLIGHT, ROTATE_OUTCOME_UNKNOWN, …). */
  errorCodes: Record<string, number>;
  adoptions: number;
  promotionsRefused: number;
  overlapExpiredReports: number;
  /** Scheduled verification runs made (in-sync ticks with nothing to do are skipped), and the heals they started. */
  verificationRuns: number;
  verificationHeals: number;
  /** Secrets Manager's re-attempts once faults stopped, and the waits for the verification's next tick then. */
  finalReattempts: number;
  verificationWaits: number;
  /** Keys in AWSCURRENT killed or expired by what the engine cannot prevent (counted, not violations). */
  operatorKilledCurrentKey: number;
  lateLandingKilledCurrentKey: number;
  /** Events left out of the verdict because they are a known issue (see knownIssues.ts), by issue. */
  knownIssues: Record<string, number>;
}

export const emptyStats = (): RunStats => ({
  functionCalls: 0,
  rotationsStarted: 0,
  rotationsRefusedPending: 0,
  reattempts: 0,
  reattemptsTwice: 0,
  faultsFired: 0,
  landedWithinHorizon: 0,
  landedBeyondHorizon: 0,
  duplicatesRun: 0,
  dashboardRotations: 0,
  pendingRemovedByOperator: 0,
  clockJumps: 0,
  errorCodes: {},
  adoptions: 0,
  promotionsRefused: 0,
  overlapExpiredReports: 0,
  verificationRuns: 0,
  verificationHeals: 0,
  finalReattempts: 0,
  verificationWaits: 0,
  operatorKilledCurrentKey: 0,
  lateLandingKilledCurrentKey: 0,
  knownIssues: {},
});

/** Adds `n` to a counter in a record of counters. */
export function countIn(counters: Record<string, number>, key: string, n = 1): void {
  counters[key] = (counters[key] ?? 0) + n;
}
