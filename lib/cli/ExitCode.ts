/** The CLI's exit codes; documented in every command's `--help` and in docs/cli.md. */
export const ExitCode = {
  /** Success; `status`: healthy or a rotation in progress; `verify`: every check passed. */
  ok: 0,
  /** The operation failed, or the verdict is unhealthy (stuck AWSPENDING, overlap expired, a failed check). */
  failed: 1,
  /** Bad arguments or usage: unknown option, missing or invalid value, no confirmation possible. */
  usage: 2,
  /** AWS or Clerk unreachable, or access denied (credentials, IAM, a rejected instance key). */
  unavailable: 3,
  /** Interrupted (Ctrl-C); an emergency rotation restores its tags first. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0    success; status: healthy or rotation in progress; verify: every check passed
  1    the operation failed, or an unhealthy verdict (status: stuck AWSPENDING, overlap
       expired, invalid value; verify: a check failed; rotate: failed or timed out)
  2    bad arguments or usage (unknown option, missing or invalid value, no confirmation)
  3    AWS or Clerk unreachable, or access denied (credentials, IAM, the instance key)
  130  interrupted (Ctrl-C); an emergency rotation restores its tags first`;
