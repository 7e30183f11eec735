import { SecretStoreError } from '../errors.ts';

/** Errors that say "you may not" or "there is nothing": serving an old value would hide a real problem. */
const PERMANENT = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
  'ValidationException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

/** Throttling, server faults and timeouts: Secrets Manager (or the way to it) is unavailable, the value is not wrong. */
const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'Throttling',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * True for a GetSecretValue failure that a cached value may paper over (throttling, 5xx, timeouts, network); false
 * for everything else, including AccessDenied, ResourceNotFound and unknown errors. Accepts the SDK's error or the
 * SecretStoreError that wraps it.
 */
export function isTransientSecretsManagerError(error: unknown): boolean {
  const raw = error instanceof SecretStoreError ? error.cause : error;
  if (typeof raw !== 'object' || raw === null) return false;
  const shape = raw as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  if (PERMANENT.has(name)) return false;
  if (TRANSIENT.has(name)) return true;
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return true;
  if (shape.$retryable !== undefined && shape.$retryable !== null && shape.$retryable !== false) return true;
  if (shape.$fault === 'server') return true;
  const status = shape.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}
