import type { InjectedError } from '../common/faultTypes.ts';

/**
 * The error codes the emulator answers with. The SDK reads `__type` first for AWS JSON 1.1 (then `code`, then the
 * `x-amzn-errortype` header) and makes it `error.name`, so these strings are what callers match on.
 */
export const AwsErrorName = {
  resourceNotFound: 'ResourceNotFoundException',
  resourceExists: 'ResourceExistsException',
  invalidParameter: 'InvalidParameterException',
  invalidRequest: 'InvalidRequestException',
  validation: 'ValidationException',
  limitExceeded: 'LimitExceededException',
  internalServiceError: 'InternalServiceError',
  throttling: 'ThrottlingException',
  accessDenied: 'AccessDeniedException',
  missingAuthenticationToken: 'MissingAuthenticationTokenException',
  unknownOperation: 'UnknownOperationException',
  serialization: 'SerializationException',
} as const;
export type AwsErrorName = (typeof AwsErrorName)[keyof typeof AwsErrorName];

/** An error the emulator sends to the caller as an AWS JSON 1.1 error response. */
export class AwsServiceError extends Error {
  override readonly name: string;
  readonly statusCode: number;

  constructor(name: string, message: string, statusCode = 400) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

export const secretNotFound = (): AwsServiceError =>
  new AwsServiceError(AwsErrorName.resourceNotFound, "Secrets Manager can't find the specified secret.");

export const resourceNotFound = (message: string): AwsServiceError =>
  new AwsServiceError(AwsErrorName.resourceNotFound, message);

export const resourceExists = (message: string): AwsServiceError =>
  new AwsServiceError(AwsErrorName.resourceExists, message);

export const invalidParameter = (message: string): AwsServiceError =>
  new AwsServiceError(AwsErrorName.invalidParameter, message);

export const invalidRequest = (message: string): AwsServiceError =>
  new AwsServiceError(AwsErrorName.invalidRequest, message);

export const validationError = (message: string): AwsServiceError =>
  new AwsServiceError(AwsErrorName.validation, message);

export const markedForDeletion = (): AwsServiceError =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

/**
 * Errors tests commonly inject, as fault options: `faults.failNext('PutSecretValue', SimulatedError.throttling)` or,
 * for several calls, `{ ...SimulatedError.throttling, times: 3 }`. Status codes as AWS sends them.
 */
export const SimulatedError = {
  internal: {
    code: AwsErrorName.internalServiceError,
    status: 500,
    message: 'An error occurred on the server side.',
  },
  throttling: { code: AwsErrorName.throttling, status: 400, message: 'Rate exceeded' },
} as const;

/**
 * The AWS error for an injected fault: code default InternalServiceError (ThrottlingException for a 429, and
 * InvalidRequestException for another 4xx status); status default 500 for InternalServiceError and 400 otherwise.
 */
export const injectedError = (fault: InjectedError): AwsServiceError => {
  const { status } = fault;
  const code =
    fault.code ??
    (status === undefined || status >= 500
      ? AwsErrorName.internalServiceError
      : status === 429
        ? AwsErrorName.throttling
        : AwsErrorName.invalidRequest);
  const message =
    fault.message ??
    (code === AwsErrorName.internalServiceError ? SimulatedError.internal.message : `Injected ${code}`);
  return new AwsServiceError(code, message, status ?? (code === AwsErrorName.internalServiceError ? 500 : 400));
};

/** Out-of-range options and fault rules: shared by both emulators. */
export { InvalidEmulatorOptionError } from '../common/errors.ts';
