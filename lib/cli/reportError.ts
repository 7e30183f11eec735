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

const ACCESS_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);
const UNAVAILABLE_CLERK_CODES = new Set<string>([
  ErrorCode.clerkNetwork,
  ErrorCode.clerkTimeout,
  ErrorCode.clerkDeadline,
  ErrorCode.clerkUnauthorized,
  ErrorCode.clerkForbidden,
  ErrorCode.clerkRateLimited,
  ErrorCode.clerkServerError,
]);

function isNetworkFailure(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (NETWORK_NAMES.has(cause.name)) return true;
    cause = cause.cause;
  }
  return false;
}

function isRegionMissing(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (/region is missing/i.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

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
    return {
      ...classified(ExitCode.failed, error.message, { code: error.code, runbook: true }),
      details: error.details,
    };
  }
  if (isRegionMissing(error)) {
    return classified(ExitCode.usage, 'no AWS region: pass --region or set AWS_REGION', { hint: helpHint });
  }
  if (error instanceof ConfigError)
    return classified(ExitCode.usage, error.message, { code: error.code, hint: helpHint });
  if (error instanceof SecretStoreError) {
    const where = context.endpoint === undefined ? '' : ` at ${context.endpoint}`;
    if (error.awsErrorName !== undefined && ACCESS_ERRORS.has(error.awsErrorName)) {
      return classified(ExitCode.unavailable, error.message, {
        code: error.code,
        hint: 'check the credentials (--profile, AWS_PROFILE, …) and the IAM permissions on this secret',
      });
    }
    if (isNetworkFailure(error)) {
      return classified(ExitCode.unavailable, `cannot reach Secrets Manager${where}: ${error.message}`, {
        code: error.code,
        hint: 'check --endpoint-url, --region and the network',
      });
    }
    const notFound = error.awsErrorName === 'ResourceNotFoundException';
    return classified(ExitCode.failed, error.message, {
      code: error.code,
      runbook: !notFound,
      hint: notFound ? 'check the secret name or ARN, and --region' : undefined,
    });
  }
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
  if (isNetworkFailure(error)) {
    return classified(ExitCode.unavailable, `cannot reach a service: ${(error as Error).message}`, {
      hint: 'check --endpoint-url, --clerk-api-url and the network',
    });
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
