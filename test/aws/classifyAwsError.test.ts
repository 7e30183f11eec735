import {
  DecryptionFailure,
  EncryptionFailure,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ResourceNotFoundException,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { CredentialsProviderError, ProviderError, TokenProviderError } from '@smithy/core/config';
import { describe, expect, it } from 'vitest';
import {
  type AwsErrorClassification,
  AwsErrorKind,
  classifyAwsError,
  isTransientAwsError,
  type TransientReason,
} from '../../lib/aws/classifyAwsError.ts';
import { toStoreError } from '../../lib/aws/storeCall.ts';
import { SecretStoreError } from '../../lib/errors.ts';
import { isTransientSecretsManagerError } from '../../lib/reader/index.ts';
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '../../localstack/secretsManager/index.ts';
import { awsError, newSecretsManagerMock } from '../support/readerFixtures.ts';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
/** How the SDK builds an error for a name Secrets Manager's model does not list. */
const unmodelled = (name: string, httpStatusCode: number, $fault: 'client' | 'server' = 'client') =>
  new SecretsManagerServiceException({ name, $fault, ...metadata(httpStatusCode), message: `${name} (test)` });
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:4566`), { code });

/** What GetSecretValue throws when the client fails with `error`: the SDK call really runs, through the mock. */
async function sendFailing(error: Error): Promise<unknown> {
  const { client, mock } = newSecretsManagerMock();
  mock.on(GetSecretValueCommand).rejects(error);
  return client.send(new GetSecretValueCommand({ SecretId: 's' })).catch((thrown: unknown) => thrown);
}

const transient = (reason: TransientReason, name: string | undefined): AwsErrorClassification => ({
  kind: AwsErrorKind.transient,
  reason,
  name,
});
const permanent = (kind: AwsErrorKind, name: string | undefined): AwsErrorClassification => ({
  kind,
  reason: undefined,
  name,
});

describe('Function: classifyAwsError', () => {
  it.each([
    ['ThrottlingException', unmodelled('ThrottlingException', 400), transient('throttling', 'ThrottlingException')],
    [
      'TooManyRequestsException',
      unmodelled('TooManyRequestsException', 429),
      transient('throttling', 'TooManyRequestsException'),
    ],
    ['an unnamed 429', unmodelled('Unknown', 429), transient('throttling', 'Unknown')],
    [
      'InternalServiceError',
      new InternalServiceError({ ...metadata(500), message: 'x' }),
      transient('server-error', 'InternalServiceError'),
    ],
    [
      'ServiceUnavailable 503',
      unmodelled('ServiceUnavailable', 503, 'server'),
      transient('server-error', 'ServiceUnavailable'),
    ],
    ['an unnamed 502', unmodelled('Unknown', 502), transient('server-error', 'Unknown')],
    [
      'TimeoutError',
      Object.assign(new Error('timeout'), { name: 'TimeoutError' }),
      transient('timeout', 'TimeoutError'),
    ],
    ['RequestTimeout', unmodelled('RequestTimeout', 408), transient('timeout', 'RequestTimeout')],
    [
      'AbortError (our own request timeout)',
      Object.assign(new Error('aborted'), { name: 'AbortError' }),
      transient('timeout', 'AbortError'),
    ],
    [
      'CredentialsProviderError (IMDS/ECS timeout)',
      new CredentialsProviderError('Could not load credentials from any providers'),
      transient('credentials', 'CredentialsProviderError'),
    ],
    [
      'ProviderError (IMDS timeout, one provider)',
      new ProviderError('TimeoutError from instance metadata service'),
      transient('credentials', 'ProviderError'),
    ],
    [
      'TokenProviderError (SSO token refresh)',
      new TokenProviderError('Token is expired'),
      transient('credentials', 'TokenProviderError'),
    ],
    [
      'ExpiredTokenException',
      unmodelled('ExpiredTokenException', 400),
      transient('credentials', 'ExpiredTokenException'),
    ],
    ['ExpiredToken (query protocol)', unmodelled('ExpiredToken', 400), transient('credentials', 'ExpiredToken')],
    ['RequestExpired', unmodelled('RequestExpired', 400), transient('credentials', 'RequestExpired')],
    [
      'AccessDeniedException',
      unmodelled('AccessDeniedException', 400),
      permanent('access-denied', 'AccessDeniedException'),
    ],
    [
      'AccessDenied even if marked retryable',
      awsError('AccessDeniedException', { $retryable: {} }),
      permanent('access-denied', 'AccessDeniedException'),
    ],
    [
      'UnrecognizedClientException',
      unmodelled('UnrecognizedClientException', 400),
      permanent('access-denied', 'UnrecognizedClientException'),
    ],
    [
      'InvalidSignatureException',
      unmodelled('InvalidSignatureException', 400),
      permanent('access-denied', 'InvalidSignatureException'),
    ],
    [
      'DecryptionFailure (KMS)',
      new DecryptionFailure({ ...metadata(400), message: 'x' }),
      permanent('access-denied', 'DecryptionFailure'),
    ],
    [
      'EncryptionFailure (KMS)',
      new EncryptionFailure({ ...metadata(400), message: 'x' }),
      permanent('access-denied', 'EncryptionFailure'),
    ],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ ...metadata(400), message: 'x' }),
      permanent('not-found', 'ResourceNotFoundException'),
    ],
    [
      'InvalidRequestException (deleted secret)',
      new InvalidRequestException({ ...metadata(400), message: 'x' }),
      permanent('invalid', 'InvalidRequestException'),
    ],
    [
      'InvalidParameterException',
      new InvalidParameterException({ ...metadata(400), message: 'x' }),
      permanent('invalid', 'InvalidParameterException'),
    ],
    [
      'LimitExceededException (a quota, not throttling)',
      new LimitExceededException({ ...metadata(400), message: 'x' }),
      permanent('invalid', 'LimitExceededException'),
    ],
    ['an unknown 400', unmodelled('SomethingElse', 400), permanent('unknown', 'SomethingElse')],
  ])('%s, thrown by client.send', async (_name, error, expected) => {
    // Act
    const thrown = await sendFailing(error);

    // Assess: the error as the SDK call throws it, and wrapped by toStoreError, classify the same
    expect(classifyAwsError(thrown)).toEqual(expected);
    expect(classifyAwsError(toStoreError('GetSecretValue', thrown))).toEqual(expected);
  });

  it.each([
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
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
  ])('%s is a transient network failure, also as the cause of another error', (code) => {
    // Prepare
    const direct = networkError(code);
    const nested = new Error('fetch failed', { cause: new Error('other side closed', { cause: networkError(code) }) });

    // Act + Assess
    expect(classifyAwsError(direct)).toEqual(transient('network', 'Error'));
    expect(classifyAwsError(nested)).toEqual(transient('network', 'Error'));
  });

  it('reads a network code no deeper than five causes down', () => {
    // Prepare
    let deep: Error = networkError('ECONNRESET');
    for (let i = 0; i < 6; i++) deep = new Error(`layer ${i}`, { cause: deep });

    // Act + Assess
    expect(classifyAwsError(deep).kind).toBe('unknown');
  });

  it.each([
    [
      'an SDK-retryable error',
      awsError('Whatever', { $retryable: { throttling: false } }),
      transient('retryable', 'Whatever'),
    ],
    [
      'an SDK-retryable throttling',
      awsError('Whatever', { $retryable: { throttling: true } }),
      transient('throttling', 'Whatever'),
    ],
    ['$retryable: false', awsError('Whatever', { $retryable: false }), permanent('unknown', 'Whatever')],
    [
      'a server fault without a status',
      awsError('Whatever', { $fault: 'server' }),
      transient('server-error', 'Whatever'),
    ],
    ['a plain Error', new Error('boom'), permanent('unknown', 'Error')],
    ['a string', 'ThrottlingException', permanent('unknown', undefined)],
    ['null', null, permanent('unknown', undefined)],
  ])('%s', (_name, error, expected) => {
    expect(classifyAwsError(error)).toEqual(expected);
  });

  it('classifies a SecretStoreError by its cause, not by its own name', () => {
    // Prepare
    const withoutCause = new SecretStoreError('GetSecretValue', 'ThrottlingException', 'x');

    // Act + Assess
    expect(classifyAwsError(withoutCause)).toEqual(permanent('unknown', undefined));
  });
});

describe('Function: isTransientAwsError (the reader exports it as isTransientSecretsManagerError)', () => {
  it.each([
    ['ThrottlingException', awsError('ThrottlingException'), true],
    ['InternalServiceError (5xx)', awsError('InternalServiceError', { $fault: 'server' }), true],
    ['an unnamed 503', awsError('Unknown', { $metadata: { httpStatusCode: 503 } }), true],
    ['an SDK-retryable error', awsError('Whatever', { $retryable: { throttling: false } }), true],
    ['ECONNRESET', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true],
    ['TimeoutError', Object.assign(new Error('timeout'), { name: 'TimeoutError' }), true],
    ['AccessDeniedException', awsError('AccessDeniedException', { $metadata: { httpStatusCode: 400 } }), false],
    ['ResourceNotFoundException', awsError('ResourceNotFoundException'), false],
    ['AccessDenied even if marked retryable', awsError('AccessDeniedException', { $retryable: {} }), false],
    ['InvalidRequestException (deleted secret)', awsError('InvalidRequestException'), false],
    ['an unknown client error', awsError('SomethingElse'), false],
    ['a non-error', 'ThrottlingException', false],
  ])('%s → %s', (_name, error, expected) => {
    // Assess: the raw SDK error and the SecretStoreError that wraps it agree
    expect(isTransientAwsError(error)).toBe(expected);
    const wrapped = new SecretStoreError('GetSecretValue', undefined, 'x', { cause: error });
    expect(isTransientAwsError(wrapped)).toBe(expected);
    expect(isTransientSecretsManagerError(wrapped)).toBe(expected);
  });
});

describe('Function: classifyAwsError (errors the real SDK parsed from a Secrets Manager answer)', () => {
  /** What one GetSecretValue on an emulator of its own throws, after `inject` armed a fault (one SDK attempt). */
  const failedCall = async (inject: (emulator: SecretsManagerEmulator) => void): Promise<unknown> => {
    const emulator = await startSecretsManagerEmulator({ seed: 7 });
    const client = emulator.createClient({ maxAttempts: 1 });
    try {
      inject(emulator);
      return await client.send(new GetSecretValueCommand({ SecretId: 'prod/clerk/machines/absent' })).catch((e) => e);
    } finally {
      client.destroy();
      await emulator.close();
    }
  };

  it.each([
    ['ThrottlingException', 400, transient('throttling', 'ThrottlingException')],
    ['InternalServiceError', 500, transient('server-error', 'InternalServiceError')],
    ['ServiceUnavailable', 503, transient('server-error', 'ServiceUnavailable')],
    ['ExpiredTokenException', 400, transient('credentials', 'ExpiredTokenException')],
    ['AccessDeniedException', 400, permanent('access-denied', 'AccessDeniedException')],
    ['InvalidRequestException', 400, permanent('invalid', 'InvalidRequestException')],
  ])('an answer %s (HTTP %i)', async (name, statusCode, expected) => {
    // Act
    const thrown = await failedCall((emulator) =>
      emulator.faults.failNext('GetSecretValue', { code: name, status: statusCode }),
    );

    // Assess
    expect(classifyAwsError(thrown)).toEqual(expected);
  });

  it('a secret that does not exist', async () => {
    // Act
    const thrown = await failedCall(() => {});

    // Assess
    expect(classifyAwsError(thrown)).toEqual(permanent('not-found', 'ResourceNotFoundException'));
  });

  it('a connection cut before the answer (the SDK names it TimeoutError, code ECONNRESET)', async () => {
    // Act
    const thrown = await failedCall((emulator) => emulator.faults.dropBeforeProcessing('GetSecretValue'));

    // Assess
    expect(classifyAwsError(thrown)).toEqual(transient('network', 'TimeoutError'));
  });
});
