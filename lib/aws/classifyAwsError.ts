import { SecretStoreError } from '../errors.ts';

/** What a failed AWS SDK call means for the caller. */
export const AwsErrorKind = {
  /** Secrets Manager (or the way to it, or the credentials for it) is unavailable for now; the request was fine. */
  transient: 'transient',
  /** The caller may not: IAM, KMS, or credentials AWS refuses. Retrying or serving an old value hides it. */
  accessDenied: 'access-denied',
  /** There is no such secret, version or label. */
  notFound: 'not-found',
  /** The request or the secret's state is wrong (deleted secret, bad parameter, quota). */
  invalid: 'invalid',
  /** Anything else: treat as permanent. */
  unknown: 'unknown',
} as const;
export type AwsErrorKind = (typeof AwsErrorKind)[keyof typeof AwsErrorKind];

/** Why a transient failure is transient (for logs and hints). */
export const TransientReason = {
  throttling: 'throttling',
  serverError: 'server-error',
  timeout: 'timeout',
  network: 'network',
  /** A credential provider failed (IMDS, ECS, SSO…) or the session's token expired: refreshed credentials fix it. */
  credentials: 'credentials',
  /** The SDK marked the error retryable (`$retryable`) without saying more. */
  retryable: 'retryable',
} as const;
export type TransientReason = (typeof TransientReason)[keyof typeof TransientReason];

export interface AwsErrorClassification {
  readonly kind: AwsErrorKind;
  /** Set exactly when `kind` is transient. */
  readonly reason: TransientReason | undefined;
  /** The SDK's error name (`ThrottlingException`, `CredentialsProviderError`…), if the error has one. */
  readonly name: string | undefined;
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'NotAuthorized',
  // KMS refused to decrypt or encrypt the value for Secrets Manager (kms:Decrypt missing, key disabled).
  'DecryptionFailure',
  'EncryptionFailure',
]);

const NOT_FOUND = new Set(['ResourceNotFoundException']);

const INVALID = new Set([
  // GetSecretValue on a secret scheduled for deletion; a previous rotation still pending.
  'InvalidRequestException',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidNextTokenException',
  'ValidationException',
  'ValidationError',
  'MalformedPolicyDocumentException',
  'PreconditionNotMetException',
  'PublicPolicyException',
  'ResourceExistsException',
  'SerializationException',
  // Secrets Manager's "would exceed a quota" (e.g. versions per secret): waiting a few seconds does not fix it,
  // although the SDK's generic list counts this name as throttling.
  'LimitExceededException',
]);

/**
 * Credential-provider failures (@smithy/core's ProviderError family: an IMDS or ECS endpoint that timed out, an SSO
 * token that could not be refreshed) and the names AWS uses for an expired session token (the list the Go SDK
 * refreshes credentials on: ExpiredTokenException, ExpiredToken, RequestExpired).
 */
const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ProviderError',
  'TokenProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'IDPCommunicationErrorException',
]);

/** The SDK's throttling names (@smithy/core's THROTTLING_ERROR_CODES, without LimitExceededException). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'TransactionInProgressException',
]);

const SERVER_ERROR = new Set([
  'InternalServiceError',
  'InternalServiceErrorException',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** AbortError included: the reader's own request timeout aborts the SDK call. */
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

/** Node's and undici's codes for a connection that failed or broke (the SDK's timeout and network lists, and more). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const NETWORK_NAMES = new Set(['NetworkingError']);

/** How deep `cause` chains are followed to find a network code. */
const MAX_CAUSE_DEPTH = 5;

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: unknown } | boolean | null;
  $metadata?: { httpStatusCode?: unknown };
}

const BY_NAME: ReadonlyArray<readonly [ReadonlySet<string>, AwsErrorKind, TransientReason | undefined]> = [
  [ACCESS_DENIED, AwsErrorKind.accessDenied, undefined],
  [NOT_FOUND, AwsErrorKind.notFound, undefined],
  [INVALID, AwsErrorKind.invalid, undefined],
  [CREDENTIALS, AwsErrorKind.transient, TransientReason.credentials],
  [THROTTLING, AwsErrorKind.transient, TransientReason.throttling],
  [SERVER_ERROR, AwsErrorKind.transient, TransientReason.serverError],
  [NETWORK_NAMES, AwsErrorKind.transient, TransientReason.network],
];

function hasNetworkCode(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as SdkErrorShape;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

/** What the SDK's own metadata says when the name is not one we know. */
function classifyByMetadata(shape: SdkErrorShape): TransientReason | undefined {
  const retryable = shape.$retryable;
  if (retryable !== undefined && retryable !== null && retryable !== false) {
    return typeof retryable === 'object' && retryable.throttling === true
      ? TransientReason.throttling
      : TransientReason.retryable;
  }
  const status = shape.$metadata?.httpStatusCode;
  if (status === 429) return TransientReason.throttling;
  if (shape.$fault === 'server' || (typeof status === 'number' && status >= 500)) return TransientReason.serverError;
  return undefined;
}

/**
 * Classifies any failure of a Secrets Manager SDK call: the SDK's error, a Node network error, a credential
 * provider's error, or the SecretStoreError that wraps one of them (its `cause` is classified). A known name decides
 * first — so an AccessDenied stays access-denied even when the SDK marks it retryable — then a network code anywhere
 * in the `cause` chain, then a timeout's name, then the SDK's `$retryable`, `$fault` and HTTP status. Everything
 * else is unknown.
 */
export function classifyAwsError(error: unknown): AwsErrorClassification {
  const raw = error instanceof SecretStoreError ? error.cause : error;
  if (typeof raw !== 'object' || raw === null)
    return { kind: AwsErrorKind.unknown, reason: undefined, name: undefined };
  const shape = raw as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : undefined;
  if (name !== undefined) {
    for (const [names, kind, reason] of BY_NAME) if (names.has(name)) return { kind, reason, name };
  }
  // Before the timeout names: the SDK names a socket hang-up TimeoutError, with the code ECONNRESET.
  if (hasNetworkCode(raw)) return { kind: AwsErrorKind.transient, reason: TransientReason.network, name };
  if (name !== undefined && TIMEOUT.has(name)) {
    return { kind: AwsErrorKind.transient, reason: TransientReason.timeout, name };
  }
  const reason = classifyByMetadata(shape);
  if (reason !== undefined) return { kind: AwsErrorKind.transient, reason, name };
  return { kind: AwsErrorKind.unknown, reason: undefined, name };
}

/** True when a cached value may stand in for a failed read, and a later attempt may succeed. */
export function isTransientAwsError(error: unknown): boolean {
  return classifyAwsError(error).kind === AwsErrorKind.transient;
}
