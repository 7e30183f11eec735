/** The CLI's own defaults; each is an option, documented in `--help` and docs/cli.md. */
export const CliDefaults = {
  programName: 'clerk-rotator',
  /**
   * AWSPENDING on a non-current version older than this is "stuck" rather than "in progress": well above a whole
   * rotation (four steps, each bounded by the function's 60 s timeout).
   */
  stuckAfterSeconds: 600,
  /**
   * How long apps may keep using a key they read before a rotation: the reader's defaults, maxAge 5 min plus its
   * 10 % jitter plus maxStale 15 min (lib/reader/createMachineKeyProvider.ts).
   */
  refreshWindowSeconds: 1_230,
  /** `rotate --wait` gives up after this long. */
  rotateTimeoutSeconds: 300,
  /** `rotate --wait` polls DescribeSecret this often. */
  pollIntervalSeconds: 1,
  /** After AWSCURRENT moved, how long `rotate --wait` waits for finishSecret to remove AWSPENDING. */
  pendingCleanupGraceSeconds: 5,
  /** How much of the end of a function log file is read for a rotation's errors. */
  functionLogTailBytes: 4 * 1024 * 1024,
  /** How many of a rotation's recorded step errors a report carries (the latest). */
  stepErrorsShown: 5,
  /**
   * After an emergency rotation, Clerk is asked whether the suspected key is rejected at once and again after each of
   * these pauses (3 checks over 5 s) while it still answers otherwise: a revocation may take a moment to propagate.
   */
  revocationCheckPausesSeconds: [2, 3],
} as const;

/** Environment variables only the CLI reads. */
export const CliEnvVar = {
  /**
   * A file of the rotation function's JSON log lines (the local stack's `npm run local-stack` writes one): when set,
   * a failed or stalled rotation is explained by the step errors recorded there.
   */
  functionLog: 'CLERK_ROTATOR_FUNCTION_LOG',
} as const;
