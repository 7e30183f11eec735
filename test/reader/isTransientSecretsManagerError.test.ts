import { describe, expect, it } from 'vitest';
import { SecretStoreError } from '../../lib/errors.ts';
import { isTransientSecretsManagerError } from '../../lib/reader/isTransientSecretsManagerError.ts';
import { awsError } from './readerTestSupport.ts';

describe('Function: isTransientSecretsManagerError', () => {
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
    expect(isTransientSecretsManagerError(error)).toBe(expected);
    const wrapped = new SecretStoreError('GetSecretValue', undefined, 'x', { cause: error });
    expect(isTransientSecretsManagerError(wrapped)).toBe(expected);
  });
});
