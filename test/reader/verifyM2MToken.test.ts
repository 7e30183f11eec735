import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ClerkApiError, ErrorCode } from '../../lib/errors.ts';
import { Redacted } from '../../lib/Redacted.ts';
import { verifyM2MToken } from '../../lib/reader/verifyM2MToken.ts';
import {
  CLERK_API,
  clerkError,
  createReaderFixture,
  expectNoKeyLeak,
  json,
  MACHINE_ID,
  newMachineKey,
  tokenWire,
} from '../support/readerFixtures.ts';

const PRESENTED = 'mt_0123456789abcdef0123456789abcdef';
const INSTANCE_KEY = 'sk_test_0123456789abcdefghij';

/** A provider whose first read finds k1 (version v1) and every later read k2 (v2); `transport` makes a fake Clerk. */
function setup() {
  const fixture = createReaderFixture();
  const k1 = newMachineKey();
  const k2 = newMachineKey();
  fixture.sm.mock.on(GetSecretValueCommand).resolvesOnce(fixture.answer('v1', k1)).resolves(fixture.answer('v2', k2));
  const transport = (respond: Parameters<typeof fixture.clerk>[0]) => {
    const clerk = fixture.clerk(respond);
    return { requests: clerk.requests, base: clerk.transport };
  };
  return { ...fixture, k1, k2, provider: fixture.provider(), transport };
}

describe('Function: verifyM2MToken', () => {
  it('POSTs /m2m_tokens/verify with {token} and the machine key, and returns the token’s metadata', async () => {
    // Prepare
    const { k1, provider, transport } = setup();
    const { base, requests } = transport(() => json(200, tokenWire({ token: undefined, scopes: [MACHINE_ID] })));

    // Act
    const result = await verifyM2MToken({ ...base, provider, token: PRESENTED });

    // Assess
    expect(requests[0]).toMatchObject({
      url: `${CLERK_API}/m2m_tokens/verify`,
      method: 'POST',
      body: { token: PRESENTED },
      headers: { authorization: `Bearer ${k1}`, 'clerk-api-version': '2026-05-12' },
    });
    expect(result).toMatchObject({ valid: true, token: { subject: MACHINE_ID, scopes: [MACHINE_ID] } });
  });

  it('verifies with a fixed instance key', async () => {
    // Prepare
    const { transport } = setup();
    const { base, requests } = transport(() => json(200, tokenWire({ token: undefined })));

    // Act
    const result = await verifyM2MToken({
      ...base,
      secretKey: new Redacted(INSTANCE_KEY),
      token: new Redacted(PRESENTED),
    });

    // Assess
    expect(result.valid).toBe(true);
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${INSTANCE_KEY}`);
  });

  it.each([
    ['an unknown token (404)', () => clerkError(404, 'resource_not_found'), 'not_found'],
    ['a malformed token (400)', () => clerkError(400, 'form_param_value_invalid'), 'invalid'],
    ['a revoked token (200, revoked)', () => json(200, tokenWire({ token: undefined, revoked: true })), 'revoked'],
    ['an expired token (200, expired)', () => json(200, tokenWire({ token: undefined, expired: true })), 'expired'],
  ])('answers %s with valid: false and a reason', async (_name, respond, reason) => {
    // Prepare
    const { provider, transport } = setup();
    const { base } = transport(respond);

    // Act
    const result = await verifyM2MToken({ ...base, provider, token: PRESENTED });

    // Assess
    expect(result).toMatchObject({ valid: false, reason });
  });

  it('after a 401 retries once with a rotated machine key', async () => {
    // Prepare
    const { k1, provider, transport } = setup();
    const { base, requests } = transport((request) =>
      request.headers.authorization === `Bearer ${k1}`
        ? clerkError(401, 'authentication_invalid')
        : json(200, tokenWire()),
    );

    // Act
    const result = await verifyM2MToken({ ...base, provider, token: PRESENTED });

    // Assess
    expect(result.valid).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('throws ClerkApiError when our own (fixed) key is refused, without the key in the message', async () => {
    // Prepare
    const { transport } = setup();
    const { base } = transport(() => clerkError(401, 'authentication_invalid'));

    // Act
    const thrown = await verifyM2MToken({ ...base, secretKey: new Redacted(INSTANCE_KEY), token: PRESENTED }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(thrown).toBeInstanceOf(ClerkApiError);
    expect(thrown).toMatchObject({ code: ErrorCode.clerkUnauthorized });
    expectNoKeyLeak([(thrown as Error).message], [INSTANCE_KEY, PRESENTED]);
  });

  it('retries a 5xx (verification is safe to repeat) and throws after the retries', async () => {
    // Prepare
    const { provider, transport } = setup();
    const { base, requests } = transport(() => clerkError(503, 'service_unavailable'));

    // Act
    const thrown = await verifyM2MToken({ ...base, provider, token: PRESENTED }).catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(4);
    expect(thrown).toMatchObject({ code: ErrorCode.clerkServerError });
  });
});
