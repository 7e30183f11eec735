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

/** Errors that tests commonly inject; status codes as AWS sends them. */
export const SimulatedError = {
  internal: {
    name: AwsErrorName.internalServiceError,
    statusCode: 500,
    message: 'An error occurred on the server side.',
  },
  throttling: { name: AwsErrorName.throttling, statusCode: 400, message: 'Rate exceeded' },
} as const;
