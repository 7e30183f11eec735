import { AwsErrorKind, classifyAwsError, TransientReason } from '../aws/classifyAwsError.ts';
import { ClerkApiError, ConfigError, ErrorCode, isRotatorError, SecretStoreError } from '../errors.ts';
import { CliDefaults } from './CliDefaults.ts';
import type { Line, Output, ReportView } from './createOutput.ts';
import { ExitCode } from './ExitCode.ts';
import { InterruptedError, OperationError, UsageError } from './errors.ts';
import { runbookLink } from './runbookLink.ts';

export interface ClassifiedError {
  readonly exitCode: ExitCode;
  readonly code: string | undefined;
  readonly message: string;
  readonly hint: string | undefined;
  readonly runbook: string | undefined;
  /** Extra facts for the JSON document's `error` (OperationError's details). */
  readonly details?: Readonly<Record<string, string>> | undefined;
}

export interface ErrorContext {
  readonly command: string | undefined;
  /** Where Secrets Manager was expected, for "unreachable" hints. */
  readonly endpoint: string | undefined;
}

/** Clerk failures that mean "Clerk could not be asked" (or refused the instance key): exit 3, not a finding. */
const UNAVAILABLE_CLERK_CODES = new Set<string>([
  ErrorCode.clerkNetwork,
  ErrorCode.clerkTimeout,
  ErrorCode.clerkDeadline,
  ErrorCode.clerkUnauthorized,
  ErrorCode.clerkForbidden,
  ErrorCode.clerkRateLimited,
  ErrorCode.clerkServerError,
]);

function isRegionMissing(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (/region is missing/i.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

const CREDENTIALS_HINT =
  'check your AWS credentials (--profile, AWS_PROFILE, …): they could not be loaded, or they have expired';

function classified(
  exitCode: ExitCode,
  message: string,
  extra: { code?: string | undefined; hint?: string | undefined; runbook?: boolean } = {},
): ClassifiedError {
  return {
    exitCode,
    code: extra.code,
    message,
    hint: extra.hint,
    runbook: extra.runbook && extra.code !== undefined ? runbookLink(extra.code) : undefined,
  };
}

/**
 * A Secrets Manager failure, by the one AWS error classifier (lib/aws/classifyAwsError.ts): access denied and
 * credentials that could not be loaded or expired, an unreachable endpoint, throttling or a 5xx are "AWS unavailable"
 * (exit 3); a missing secret or a refused request is a failed operation (exit 1).
 */
function classifyStoreError(error: SecretStoreError, context: ErrorContext): ClassifiedError {
  const { kind, reason } = classifyAwsError(error);
  const { code } = error;
  if (kind === AwsErrorKind.accessDenied) {
    return classified(ExitCode.unavailable, error.message, {
      code,
      hint: 'check the credentials (--profile, AWS_PROFILE, …) and the IAM permissions on this secret',
    });
  }
  if (reason === TransientReason.credentials) {
    return classified(ExitCode.unavailable, error.message, { code, hint: CREDENTIALS_HINT });
  }
  if (reason === TransientReason.network || reason === TransientReason.timeout) {
    const where = context.endpoint === undefined ? '' : ` at ${context.endpoint}`;
    return classified(ExitCode.unavailable, `cannot reach Secrets Manager${where}: ${error.message}`, {
      code,
      hint: 'check --endpoint-url, --region and the network',
    });
  }
  if (kind === AwsErrorKind.transient) {
    return classified(ExitCode.unavailable, error.message, {
      code,
      runbook: true,
      hint: 'Secrets Manager is throttling or failing for now: try again in a moment',
    });
  }
  if (kind === AwsErrorKind.notFound) {
    return classified(ExitCode.failed, error.message, { code, hint: 'check the secret name or ARN, and --region' });
  }
  return classified(ExitCode.failed, error.message, { code, runbook: true });
}

/** Maps any failure to an exit code and a message that names what went wrong and what to do; never a key. */
export function classifyError(error: unknown, context: ErrorContext): ClassifiedError {
  const helpHint = `run \`${CliDefaults.programName}${context.command ? ` ${context.command}` : ''} --help\` for usage`;
  if (error instanceof UsageError) return classified(ExitCode.usage, error.message, { hint: helpHint });
  if (error instanceof InterruptedError) {
    return classified(ExitCode.interrupted, 'interrupted', {
      hint: 'a rotation already started keeps running in Secrets Manager; follow it with `status`',
    });
  }
  if (error instanceof OperationError) {
    // A question Clerk could not answer is "Clerk unreachable", whichever command asked it.
    const exitCode = UNAVAILABLE_CLERK_CODES.has(error.code) ? ExitCode.unavailable : ExitCode.failed;
    return { ...classified(exitCode, error.message, { code: error.code, runbook: true }), details: error.details };
  }
  if (isRegionMissing(error)) {
    return classified(ExitCode.usage, 'no AWS region: pass --region or set AWS_REGION', { hint: helpHint });
  }
  if (error instanceof ConfigError)
    return classified(ExitCode.usage, error.message, { code: error.code, hint: helpHint });
  if (error instanceof SecretStoreError) return classifyStoreError(error, context);
  if (error instanceof ClerkApiError) {
    const unavailable = UNAVAILABLE_CLERK_CODES.has(error.code);
    return classified(unavailable ? ExitCode.unavailable : ExitCode.failed, error.message, {
      code: error.code,
      runbook: true,
      hint:
        error.code === ErrorCode.clerkUnauthorized || error.code === ErrorCode.clerkForbidden
          ? 'check the instance key (sk_…) in the instance-key secret'
          : unavailable
            ? 'check --clerk-api-url (or CLERK_API_URL) and the network'
            : undefined,
    });
  }
  if (isRotatorError(error)) return classified(ExitCode.failed, error.message, { code: error.code, runbook: true });
  const { kind, reason } = classifyAwsError(error);
  if (kind === AwsErrorKind.transient && (reason === TransientReason.network || reason === TransientReason.timeout)) {
    return classified(ExitCode.unavailable, `cannot reach a service: ${(error as Error).message}`, {
      hint: 'check --endpoint-url, --clerk-api-url and the network',
    });
  }
  if (reason === TransientReason.credentials) {
    return classified(ExitCode.unavailable, (error as Error).message, { hint: CREDENTIALS_HINT });
  }
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return classified(ExitCode.failed, `unexpected error (${name}): ${message}`);
}

/** The error as a report: its lines on stderr, and with --json also the run's one document. */
export function errorView(result: ClassifiedError): ReportView {
  const code = result.code === undefined ? '' : ` [${result.code}]`;
  const messages: Line[] = [`error${code}: ${result.message}`];
  if (result.runbook !== undefined) messages.push(`  runbook: ${result.runbook}`);
  if (result.hint !== undefined) messages.push(`  hint: ${result.hint}`);
  return {
    exitCode: result.exitCode,
    lines: [],
    messages,
    document: {
      ok: false,
      exitCode: result.exitCode,
      error: { code: result.code ?? null, message: result.message, runbook: result.runbook ?? null, ...result.details },
    },
  };
}

/** Prints the error (stderr; with --json also as the run's JSON document) and returns its exit code. */
export function reportError(error: unknown, output: Output, context: ErrorContext): ExitCode {
  return output.render(errorView(classifyError(error, context)));
}
