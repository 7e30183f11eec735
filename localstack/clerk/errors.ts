import type { InjectedError } from '../common/faultTypes.ts';

/** Error codes the emulator answers with: Clerk's own vocabulary (as its spec and API use them). */
export const EmulatedClerkErrorCode = {
  authenticationInvalid: 'authentication_invalid',
  authorizationInvalid: 'authorization_invalid',
  resourceNotFound: 'resource_not_found',
  formParamMissing: 'form_param_missing',
  formParamValueInvalid: 'form_param_value_invalid',
  formParamUnknown: 'form_param_unknown',
  requestBodyInvalid: 'request_body_invalid',
  tooManyRequests: 'too_many_requests',
  internalClerkError: 'internal_clerk_error',
  serviceUnavailable: 'service_unavailable',
} as const;
export type EmulatedClerkErrorCode = (typeof EmulatedClerkErrorCode)[keyof typeof EmulatedClerkErrorCode];

export interface ClerkErrorItem {
  readonly message: string;
  readonly long_message: string;
  readonly code: string;
  readonly meta?: Record<string, unknown>;
}

/** Clerk's error envelope (`components/schemas/ClerkErrors`, always with a trace id as real Clerk sends one). */
export interface ClerkErrorEnvelope {
  readonly errors: readonly ClerkErrorItem[];
  readonly clerk_trace_id: string;
}

/**
 * An error the emulator answers with over HTTP (named apart from lib/errors.ts's `EmulatedClerkError`, which is what our
 * client makes of such an answer). Messages never contain a key or token value: they name the parameter or the
 * resource, not the credential.
 */
export class EmulatedClerkError extends Error {
  override readonly name = 'EmulatedClerkError';
  readonly status: number;
  readonly code: string;
  readonly longMessage: string;
  readonly meta: Record<string, unknown> | undefined;
  /** Whole seconds, set on 429 (and on injected 503s when asked) and sent as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(opts: {
    status: number;
    code: string;
    message: string;
    longMessage: string;
    meta?: Record<string, unknown>;
    retryAfterSeconds?: number;
  }) {
    super(opts.message);
    this.status = opts.status;
    this.code = opts.code;
    this.longMessage = opts.longMessage;
    this.meta = opts.meta;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  toEnvelope(traceId: string): ClerkErrorEnvelope {
    const item: ClerkErrorItem = {
      message: this.message,
      long_message: this.longMessage,
      code: this.code,
      ...(this.meta === undefined ? {} : { meta: this.meta }),
    };
    return { errors: [item], clerk_trace_id: traceId };
  }
}

export const authenticationInvalid = (longMessage: string): EmulatedClerkError =>
  new EmulatedClerkError({
    status: 401,
    code: EmulatedClerkErrorCode.authenticationInvalid,
    message: 'Invalid authentication',
    longMessage,
  });

export const authorizationInvalid = (longMessage: string): EmulatedClerkError =>
  new EmulatedClerkError({
    status: 403,
    code: EmulatedClerkErrorCode.authorizationInvalid,
    message: 'Unauthorized request',
    longMessage,
  });

export const resourceNotFound = (longMessage: string): EmulatedClerkError =>
  new EmulatedClerkError({
    status: 404,
    code: EmulatedClerkErrorCode.resourceNotFound,
    message: 'not found',
    longMessage,
  });

/** `status` is the one the spec declares for the path: 422 on /machines*, 400 on /m2m_tokens* (which declare no 422). */
export const formParamMissing = (param: string, status: 400 | 422): EmulatedClerkError =>
  new EmulatedClerkError({
    status,
    code: EmulatedClerkErrorCode.formParamMissing,
    message: 'missing requested parameter',
    longMessage: `${param} must be included.`,
    meta: { param_name: param },
  });

export const formParamValueInvalid = (param: string, detail: string, status: 400 | 422): EmulatedClerkError =>
  new EmulatedClerkError({
    status,
    code: EmulatedClerkErrorCode.formParamValueInvalid,
    message: 'is invalid',
    longMessage: `${param} ${detail}`,
    meta: { param_name: param },
  });

export const formParamUnknown = (param: string, status: 400 | 422): EmulatedClerkError =>
  new EmulatedClerkError({
    status,
    code: EmulatedClerkErrorCode.formParamUnknown,
    message: 'is unknown',
    longMessage: `${param} is not a recognized parameter for this request.`,
    meta: { param_name: param },
  });

export const requestBodyInvalid = (longMessage: string): EmulatedClerkError =>
  new EmulatedClerkError({
    status: 400,
    code: EmulatedClerkErrorCode.requestBodyInvalid,
    message: 'Request body invalid',
    longMessage,
  });

export const tooManyRequests = (retryAfterSeconds: number): EmulatedClerkError =>
  new EmulatedClerkError({
    status: 429,
    code: EmulatedClerkErrorCode.tooManyRequests,
    message: 'Too Many Requests',
    longMessage: `Rate limit exceeded. Retry after ${retryAfterSeconds} seconds.`,
    retryAfterSeconds,
  });

/**
 * The envelope for an injected error (a fault): status default 500; code `too_many_requests` for 429,
 * `service_unavailable` for 503, `internal_clerk_error` otherwise, unless the fault names one.
 */
export const injectedError = (fault: InjectedError): EmulatedClerkError => {
  const status = fault.status ?? 500;
  const defaultCode =
    status === 429
      ? EmulatedClerkErrorCode.tooManyRequests
      : status === 503
        ? EmulatedClerkErrorCode.serviceUnavailable
        : EmulatedClerkErrorCode.internalClerkError;
  return new EmulatedClerkError({
    status,
    code: fault.code ?? defaultCode,
    message: fault.message ?? (status === 429 ? 'Too Many Requests' : 'There was an internal error on our servers'),
    longMessage:
      status === 429
        ? 'Rate limit exceeded.'
        : 'There was an internal error on our servers. We have been notified and are working on fixing it.',
    ...(fault.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: fault.retryAfterSeconds }),
  });
};

/**
 * Errors thrown to the code that drives the emulator (helpers such as `createMachine`), as opposed to
 * `EmulatedClerkError`, which the emulator sends over HTTP. No message carries a key value.
 */
export class ClerkEmulatorError extends Error {
  override readonly name: string = 'ClerkEmulatorError';
}

export class UnknownInstanceError extends ClerkEmulatorError {
  override readonly name = 'UnknownInstanceError';
  readonly instanceId: string;

  constructor(instanceId: string) {
    super(`No emulated Clerk instance ${instanceId}`);
    this.instanceId = instanceId;
  }
}

export class UnknownMachineError extends ClerkEmulatorError {
  override readonly name = 'UnknownMachineError';
  readonly machineId: string;

  constructor(machineId: string) {
    super(`No emulated Clerk machine ${machineId}`);
    this.machineId = machineId;
  }
}

/** Out-of-range options and fault rules: shared by both emulators. */
export { InvalidEmulatorOptionError } from '../common/errors.ts';
