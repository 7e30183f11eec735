/**
 * Every error this package throws on purpose. Each has a stable `code` (for alarms, the runbook and the CLI) and
 * a message that names what was wrong and what is allowed — never a key value.
 */

export const ErrorCode = {
  // configuration and input
  configInvalid: 'CONFIG_INVALID',
  eventInvalid: 'EVENT_INVALID',
  secretFormatInvalid: 'SECRET_FORMAT_INVALID',
  instanceKeyInvalid: 'INSTANCE_KEY_INVALID',
  // rotation state
  rotationNotEnabled: 'ROTATION_NOT_ENABLED',
  rotationFunctionMismatch: 'ROTATION_FUNCTION_MISMATCH',
  versionNotStaged: 'VERSION_NOT_STAGED',
  versionNotPending: 'VERSION_NOT_PENDING',
  pendingValueMissing: 'PENDING_VALUE_MISSING',
  pendingKeyStale: 'PENDING_KEY_STALE',
  machineMismatch: 'MACHINE_MISMATCH',
  machineBindingInvalid: 'MACHINE_BINDING_INVALID',
  instanceKeyNotAllowed: 'INSTANCE_KEY_NOT_ALLOWED',
  secretValueTooLarge: 'SECRET_VALUE_TOO_LARGE',
  rotationTooSoon: 'ROTATION_TOO_SOON',
  rotateOutcomeUnknown: 'ROTATE_OUTCOME_UNKNOWN',
  rotateInFlight: 'ROTATE_IN_FLIGHT',
  rotateDeferred: 'ROTATE_DEFERRED',
  oldKeyStillAccepted: 'OLD_KEY_STILL_ACCEPTED',
  overlapExpired: 'OVERLAP_EXPIRED',
  secretStoreFailed: 'SECRET_STORE_FAILED',
  // Clerk
  clerkUnauthorized: 'CLERK_UNAUTHORIZED',
  clerkForbidden: 'CLERK_FORBIDDEN',
  clerkNotFound: 'CLERK_NOT_FOUND',
  clerkBadRequest: 'CLERK_BAD_REQUEST',
  clerkRateLimited: 'CLERK_RATE_LIMITED',
  clerkServerError: 'CLERK_SERVER_ERROR',
  clerkInvalidResponse: 'CLERK_INVALID_RESPONSE',
  clerkNetwork: 'CLERK_NETWORK',
  clerkTimeout: 'CLERK_TIMEOUT',
  clerkDeadline: 'CLERK_DEADLINE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class RotatorError extends Error {
  override readonly name: string = 'RotatorError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A setting (environment variable or secret tag) has a value outside what is allowed. */
export class ConfigError extends RotatorError {
  override readonly name = 'ConfigError';
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(ErrorCode.configInvalid, `${setting}: ${message}`);
    this.setting = setting;
  }
}

/** The Lambda event does not have the shape Secrets Manager sends. */
export class EventError extends RotatorError {
  override readonly name = 'EventError';

  constructor(message: string) {
    super(ErrorCode.eventInvalid, `invalid rotation event: ${message}`);
  }
}

/** A secret's stored value does not follow the documented format. */
export class SecretFormatError extends RotatorError {
  override readonly name = 'SecretFormatError';

  constructor(code: typeof ErrorCode.secretFormatInvalid | typeof ErrorCode.instanceKeyInvalid, message: string) {
    super(code, message);
  }
}

/** Secrets Manager is in a state this step cannot proceed from (see docs/runbook.md for each code). */
export class RotationStateError extends RotatorError {
  override readonly name: string = 'RotationStateError';
}

/**
 * A rotate sent to Clerk may still land, so nothing may rotate again or adopt a changed key before `progressAt`
 * (ISO-8601): the rotate's landing horizon. Retryable: an attempt after that time makes progress.
 */
export class RotateInFlightError extends RotationStateError {
  override readonly name = 'RotateInFlightError';
  readonly retryable = true;
  readonly progressAt: string;

  constructor(
    code: typeof ErrorCode.rotateInFlight | typeof ErrorCode.rotateOutcomeUnknown,
    message: string,
    progressAt: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.progressAt = progressAt;
  }
}

/** A Secrets Manager call failed; `awsErrorName` is the SDK's error name (e.g. ThrottlingException). */
export class SecretStoreError extends RotatorError {
  override readonly name = 'SecretStoreError';
  readonly operation: string;
  readonly awsErrorName: string | undefined;

  constructor(operation: string, awsErrorName: string | undefined, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.secretStoreFailed, `Secrets Manager ${operation} failed: ${message}`, options);
    this.operation = operation;
    this.awsErrorName = awsErrorName;
  }
}

export type ClerkErrorCode =
  | typeof ErrorCode.clerkUnauthorized
  | typeof ErrorCode.clerkForbidden
  | typeof ErrorCode.clerkNotFound
  | typeof ErrorCode.clerkBadRequest
  | typeof ErrorCode.clerkRateLimited
  | typeof ErrorCode.clerkServerError
  | typeof ErrorCode.clerkInvalidResponse
  | typeof ErrorCode.clerkNetwork
  | typeof ErrorCode.clerkTimeout
  | typeof ErrorCode.clerkDeadline;

export interface ClerkApiErrorDetails {
  readonly operation: string;
  readonly status?: number | undefined;
  /** `errors[0].code` from Clerk's error envelope. */
  readonly clerkCode?: string | undefined;
  readonly clerkTraceId?: string | undefined;
  readonly retryAfterSeconds?: number | undefined;
  /**
   * True when the request may have been processed although we saw a failure (timeout, reset connection, 5xx,
   * an unreadable 2xx). After an ambiguous rotate, reconcile with Clerk before rotating again.
   */
  readonly ambiguous: boolean;
  readonly cause?: unknown;
}

export class ClerkApiError extends RotatorError {
  override readonly name = 'ClerkApiError';
  readonly operation: string;
  readonly status: number | undefined;
  readonly clerkCode: string | undefined;
  readonly clerkTraceId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly ambiguous: boolean;

  constructor(code: ClerkErrorCode, message: string, details: ClerkApiErrorDetails) {
    const where = details.status === undefined ? '' : ` (HTTP ${details.status}`;
    const trace = details.clerkTraceId ? `, clerk_trace_id ${details.clerkTraceId}` : '';
    const suffix = where ? `${where}${trace})` : trace ? ` (${trace.slice(2)})` : '';
    super(code, `Clerk ${details.operation}: ${message}${suffix}`, { cause: details.cause });
    this.operation = details.operation;
    this.status = details.status;
    this.clerkCode = details.clerkCode;
    this.clerkTraceId = details.clerkTraceId;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.ambiguous = details.ambiguous;
  }
}

export function isRotatorError(error: unknown): error is RotatorError {
  return error instanceof RotatorError;
}
