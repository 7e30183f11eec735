import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ClerkApiError, ErrorCode } from '../../lib/errors.ts';
import { isClerkAuthenticationError } from '../../lib/reader/isClerkAuthenticationError.ts';
import type { MachineKey } from '../../lib/reader/MachineKeyProvider.ts';
import { awsError, createReaderFixture, expectNoKeyLeak, newMachineKey } from '../support/readerFixtures.ts';

/** The shape @clerk/backend throws (ClerkAPIResponseError): top-level code is always "api_response_error". */
class ClerkAPIResponseErrorLike extends Error {
  readonly clerkError = true;
  readonly code = 'api_response_error';
  constructor(
    readonly status: number | undefined,
    readonly errors: { code: string; message: string }[],
    readonly clerkTraceId?: string,
  ) {
    super('Clerk API error');
  }
}

const ourUnauthorized = () =>
  new ClerkApiError(ErrorCode.clerkUnauthorized, 'the key was not accepted: authentication_invalid', {
    operation: 'createM2MToken',
    status: 401,
    clerkCode: 'authentication_invalid',
    ambiguous: false,
  });

describe('Function: isClerkAuthenticationError', () => {
  it.each([
    ['our ClerkApiError CLERK_UNAUTHORIZED', ourUnauthorized(), true],
    [
      '@clerk/backend status 401',
      new ClerkAPIResponseErrorLike(401, [{ code: 'authentication_invalid', message: '' }]),
      true,
    ],
    [
      '@clerk/backend clerk_key_invalid without a status',
      new ClerkAPIResponseErrorLike(undefined, [{ code: 'clerk_key_invalid', message: '' }]),
      true,
    ],
    [
      '@clerk/backend authentication_invalid',
      new ClerkAPIResponseErrorLike(undefined, [{ code: 'authentication_invalid', message: '' }]),
      true,
    ],
    ['@clerk/backend 403', new ClerkAPIResponseErrorLike(403, [{ code: 'authorization_invalid', message: '' }]), false],
    [
      '@clerk/backend network failure',
      new ClerkAPIResponseErrorLike(undefined, [{ code: 'unexpected_error', message: '' }]),
      false,
    ],
    [
      'our CLERK_FORBIDDEN',
      new ClerkApiError(ErrorCode.clerkForbidden, 'no', { operation: 'x', status: 403, ambiguous: false }),
      false,
    ],
    ['a plain Error', new Error('401'), false],
    ['a string', '401', false],
    ['null', null, false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isClerkAuthenticationError(error)).toBe(expected);
  });
});

/** A provider factory whose first read finds k1 (version v1) and every later read k2 (v2). */
function setup() {
  const fixture = createReaderFixture();
  const k1 = newMachineKey();
  const k2 = newMachineKey();
  fixture.sm.mock.on(GetSecretValueCommand).resolvesOnce(fixture.answer('v1', k1)).resolves(fixture.answer('v2', k2));
  return { ...fixture, k1, k2 };
}

describe('Function: withMachineKey (provider.withMachineKey)', () => {
  it('returns fn’s result with the current key and reads Secrets Manager once', async () => {
    // Prepare
    const { sm, provider } = setup();
    const reader = provider();

    // Act
    const result = await reader.withMachineKey(async (key) => `used ${key.versionId}`);

    // Assess
    expect(result).toBe('used v1');
    expect(sm.getCalls()).toHaveLength(1);
  });

  it.each([
    ['our ClerkApiError', ourUnauthorized],
    [
      'the @clerk/backend shape',
      () => new ClerkAPIResponseErrorLike(401, [{ code: 'authentication_invalid', message: '' }]),
    ],
  ])('after a 401 (%s) refreshes and retries once when the version changed', async (_name, unauthorized) => {
    // Prepare
    const { sm, log, k1, k2, provider } = setup();
    const reader = provider();
    const seen: string[] = [];

    // Act
    const result = await reader.withMachineKey(async (key: MachineKey) => {
      seen.push(key.versionId);
      if (key.secretKey.reveal() === k1) throw unauthorized();
      return 'ok';
    });

    // Assess
    expect(result).toBe('ok');
    expect(seen).toEqual(['v1', 'v2']);
    expect(sm.getCalls()).toHaveLength(2);
    expectNoKeyLeak(log.lines, [k1, k2]);
  });

  it('rethrows the original 401 when the refresh finds the same version', async () => {
    // Prepare
    const { sm, k1, answer, provider } = setup();
    sm.mock.on(GetSecretValueCommand).resolves(answer('v1', k1));
    const reader = provider();
    const original = ourUnauthorized();
    let calls = 0;

    // Act
    const thrown = await reader
      .withMachineKey(async () => {
        calls += 1;
        throw original;
      })
      .catch((e: unknown) => e);

    // Assess
    expect(thrown).toBe(original);
    expect(calls).toBe(1);
    expect(sm.getCalls()).toHaveLength(2);
  });

  it('retries only once: a second 401 with the new key is thrown', async () => {
    // Prepare
    const { provider } = setup();
    const reader = provider();
    let calls = 0;

    // Act
    const thrown = await reader
      .withMachineKey(async () => {
        calls += 1;
        throw ourUnauthorized();
      })
      .catch((e: unknown) => e);

    // Assess
    expect(calls).toBe(2);
    expect(thrown).toBeInstanceOf(ClerkApiError);
  });

  it('does not refresh or retry on other errors', async () => {
    // Prepare
    const { sm, provider } = setup();
    const reader = provider();
    const other = new ClerkApiError(ErrorCode.clerkServerError, 'boom', {
      operation: 'x',
      status: 500,
      ambiguous: true,
    });
    let calls = 0;

    // Act
    const thrown = await reader
      .withMachineKey(async () => {
        calls += 1;
        throw other;
      })
      .catch((e: unknown) => e);

    // Assess
    expect(thrown).toBe(other);
    expect(calls).toBe(1);
    expect(sm.getCalls()).toHaveLength(1);
  });

  it('rethrows the 401 (and logs why) when the refresh itself fails', async () => {
    // Prepare
    const { sm, log, k1, answer, provider } = setup();
    sm.mock.on(GetSecretValueCommand).resolvesOnce(answer('v1', k1)).rejects(awsError('AccessDeniedException'));
    const reader = provider();
    const original = ourUnauthorized();

    // Act
    const thrown = await reader
      .withMachineKey(async () => {
        throw original;
      })
      .catch((e: unknown) => e);

    // Assess
    expect(thrown).toBe(original);
    const warning = log.lines.map((l) => JSON.parse(l)).find((l) => l.outcome === 'refresh-failed');
    expect(warning).toMatchObject({ level: 'warn', errorCode: ErrorCode.secretStoreFailed });
  });

  it('coalesces the refreshes of many concurrent 401s into one read', async () => {
    // Prepare
    const { sm, provider } = setup();
    const reader = provider();
    await reader.get();

    // Act
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        reader.withMachineKey(async (key) => {
          if (key.versionId === 'v1') throw ourUnauthorized();
          return key.versionId;
        }),
      ),
    );

    // Assess
    expect(new Set(results)).toEqual(new Set(['v2']));
    expect(sm.getCalls()).toHaveLength(2);
  });
});
