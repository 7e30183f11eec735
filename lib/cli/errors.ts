import { ErrorCode } from '../errors.ts';

/**
 * Codes the CLI reports for states that no single rotation step names; each has a runbook anchor like the codes in
 * lib/errors.ts.
 */
export const CliErrorCode = {
  /** A rotation stopped before AWSCURRENT moved although its pending version carries a value (`repair` decides). */
  rotationStuck: 'ROTATION_STUCK',
  /** AWSCURRENT's key is not Clerk's current key: the machine was rotated outside this secret. */
  currentKeyStale: 'CURRENT_KEY_STALE',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** Every code the CLI may print as a failure reason: the package's and its own. */
export type ReasonCode = ErrorCode | CliErrorCode;

/** Bad arguments or usage the parser could not catch (options that exclude each other, a missing setting). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose help the message points to, e.g. "init". */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** An operation that could not be done, with the reason's code (and so its runbook entry). */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  readonly code: ReasonCode;
  /** Facts for the --json error document beside code and message (e.g. when a rotation becomes possible). */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(
    code: ReasonCode,
    message: string,
    options?: { readonly cause?: unknown; readonly details?: Readonly<Record<string, string>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

/** The operator interrupted a wait (Ctrl-C). */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';

  constructor(message = 'interrupted') {
    super(message);
  }
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** Whether a code from outside the CLI (a log line, a verdict, a Clerk answer) is one of the package's, with an entry. */
export function isErrorCode(code: string | undefined): code is ErrorCode {
  return code !== undefined && KNOWN_CODES.has(code);
}

/**
 * A question Clerk did not answer (askClerkAboutKey's `unknown`: a timeout, a 5xx, a 403…) as a failure with its
 * code: the CLI says only what Clerk confirmed, so a decision that needs the answer stops here.
 */
export function clerkDidNotAnswer(code: string, question: string): OperationError {
  const known = isErrorCode(code) ? code : ErrorCode.clerkInvalidResponse;
  return new OperationError(known, `Clerk did not answer ${question} (${code}); nothing was decided or changed`);
}
