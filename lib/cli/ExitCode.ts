/** The CLI's exit codes; documented in every command's `--help` and in docs/cli.md. */
export const ExitCode = {
  /** Success; `status`: healthy or a rotation in progress; `verify`: every verdict healthy, every check passed. */
  ok: 0,
  /**
   * The operation failed, or the verdict is unhealthy (stuck AWSPENDING, overlap expired, drift, a failed check), or
   * an emergency's old key was not confirmed dead.
   */
  failed: 1,
  /** Bad arguments or usage: unknown option, missing or invalid value, no confirmation possible. */
  usage: 2,
  /** AWS or Clerk unreachable, throttling or failing, or access denied (credentials, IAM, a rejected instance key). */
  unavailable: 3,
  /** Interrupted (Ctrl-C); an emergency rotation restores its tags first. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0    success; status: healthy or rotation in progress; verify: every verdict in-sync
       or rotation-in-progress and every check passed
  1    the operation failed, or an unhealthy verdict (status: stuck AWSPENDING, overlap
       expired, invalid value; verify: drift, stuck, invalid or a failed check; rotate:
       failed, timed out, or --emergency's old key not confirmed dead)
  2    bad arguments or usage (unknown option, missing or invalid value, no confirmation)
  3    AWS or Clerk unreachable, throttling or failing, or access denied (credentials,
       IAM, the instance key)
  130  interrupted (Ctrl-C); an emergency rotation restores its tags first`;
