/** Error codes the emulator answers with: Clerk's own vocabulary (see clerk-machine-auth-notes.md). */
export const ClerkErrorCode = {
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
export type ClerkErrorCode = (typeof ClerkErrorCode)[keyof typeof ClerkErrorCode];

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
 * An error the emulator answers with. Messages never contain a key or token value: they name the parameter or the
 * resource, not the credential.
 */
export class ClerkApiError extends Error {
  override readonly name = 'ClerkApiError';
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

export const authenticationInvalid = (longMessage: string): ClerkApiError =>
  new ClerkApiError({
    status: 401,
    code: ClerkErrorCode.authenticationInvalid,
    message: 'Invalid authentication',
    longMessage,
  });

export const authorizationInvalid = (longMessage: string): ClerkApiError =>
  new ClerkApiError({
    status: 403,
    code: ClerkErrorCode.authorizationInvalid,
    message: 'Unauthorized request',
    longMessage,
  });

export const resourceNotFound = (longMessage: string): ClerkApiError =>
  new ClerkApiError({ status: 404, code: ClerkErrorCode.resourceNotFound, message: 'not found', longMessage });

/** `status` is the one the spec declares for the path: 422 on /machines*, 400 on /m2m_tokens* (which declare no 422). */
export const formParamMissing = (param: string, status: 400 | 422): ClerkApiError =>
  new ClerkApiError({
    status,
    code: ClerkErrorCode.formParamMissing,
    message: 'missing requested parameter',
    longMessage: `${param} must be included.`,
    meta: { param_name: param },
  });

export const formParamValueInvalid = (param: string, detail: string, status: 400 | 422): ClerkApiError =>
  new ClerkApiError({
    status,
    code: ClerkErrorCode.formParamValueInvalid,
    message: 'is invalid',
    longMessage: `${param} ${detail}`,
    meta: { param_name: param },
  });

export const formParamUnknown = (param: string, status: 400 | 422): ClerkApiError =>
  new ClerkApiError({
    status,
    code: ClerkErrorCode.formParamUnknown,
    message: 'is unknown',
    longMessage: `${param} is not a recognized parameter for this request.`,
    meta: { param_name: param },
  });

export const requestBodyInvalid = (longMessage: string): ClerkApiError =>
  new ClerkApiError({
    status: 400,
    code: ClerkErrorCode.requestBodyInvalid,
    message: 'Request body invalid',
    longMessage,
  });

export const tooManyRequests = (retryAfterSeconds: number): ClerkApiError =>
  new ClerkApiError({
    status: 429,
    code: ClerkErrorCode.tooManyRequests,
    message: 'Too Many Requests',
    longMessage: `Rate limit exceeded. Retry after ${retryAfterSeconds} seconds.`,
    retryAfterSeconds,
  });

/** The envelope for an injected 5xx (or any other status a fault asks for). */
export const injectedServerError = (status: number, code?: string, retryAfterSeconds?: number): ClerkApiError => {
  const defaultCode = status === 503 ? ClerkErrorCode.serviceUnavailable : ClerkErrorCode.internalClerkError;
  return new ClerkApiError({
    status,
    code: code ?? (status === 429 ? ClerkErrorCode.tooManyRequests : defaultCode),
    message: status === 429 ? 'Too Many Requests' : 'There was an internal error on our servers',
    longMessage:
      status === 429
        ? 'Rate limit exceeded.'
        : 'There was an internal error on our servers. We have been notified and are working on fixing it.',
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
};
