import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ClerkApiError, ConfigError, ErrorCode } from '../../lib/errors.ts';
import { type CreateM2MTokenOptions, createM2MToken } from '../../lib/reader/createM2MToken.ts';
import {
  CLERK_API,
  clerkError,
  createReaderFixture,
  expectNoKeyLeak,
  json,
  MACHINE_ID,
  newMachineKey,
  type RecordedRequest,
  tokenWire,
} from '../support/readerFixtures.ts';

/** A provider whose first read finds k1 (version v1) and every later read k2 (v2), and a fake Clerk. */
function setup() {
  const fixture = createReaderFixture();
  const k1 = newMachineKey();
  const k2 = newMachineKey();
  fixture.sm.mock.on(GetSecretValueCommand).resolvesOnce(fixture.answer('v1', k1)).resolves(fixture.answer('v2', k2));
  const provider = fixture.provider();
  const create = (
    respond: (request: RecordedRequest, index: number) => Response | Promise<Response>,
    options: Partial<CreateM2MTokenOptions> = {},
  ) => {
    const clerk = fixture.clerk(respond);
    const run = () => createM2MToken({ provider, ...clerk.transport, logger: fixture.log.logger, ...options });
    return { run, requests: clerk.requests, sleeps: clerk.sleeps };
  };
  return { ...fixture, k1, k2, create };
}

describe('Function: createM2MToken', () => {
  it('POSTs /m2m_tokens with the machine key as Bearer and our headers, and parses the 201', async () => {
    // Prepare
    const { k1, create } = setup();
    const wire = tokenWire({ claims: { job: 'nightly' } });
    const { run, requests } = create(() => json(201, wire), {
      secondsUntilExpiration: 60,
      claims: { job: 'nightly' },
      tokenFormat: 'opaque',
      minRemainingTtlSeconds: 30,
    });

    // Act
    const token = await run();

    // Assess
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe(`${CLERK_API}/m2m_tokens`);
    expect(request?.method).toBe('POST');
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${k1}`,
      'clerk-api-version': '2026-05-12',
      'user-agent': 'clerk-machine-key-rotator/0.1.0',
      'content-type': 'application/json',
    });
    // Seconds on the wire, as Clerk expects: 60 is one minute.
    expect(request?.body).toEqual({
      seconds_until_expiration: 60,
      claims: { job: 'nightly' },
      token_format: 'opaque',
      min_remaining_ttl_seconds: 30,
    });
    expect(token.token.reveal()).toBe(wire.token);
    expect(token).toMatchObject({
      id: wire.id,
      subject: MACHINE_ID,
      claims: { job: 'nightly' },
      machineKeyVersionId: 'v1',
    });
    // Clerk's timestamps are epoch milliseconds: 1716883200000 is 2024-05-28, not 56 000 years from now.
    expect(token.expiresAt?.toISOString()).toBe('2024-05-28T08:00:00.000Z');
    expect(token.createdAt.toISOString()).toBe('2024-05-28T07:00:00.000Z');
    expect(JSON.stringify(token)).not.toContain(String(wire.token));
  });

  it('sends only the fields that were given', async () => {
    // Prepare
    const { create } = setup();
    const { run, requests } = create(() => json(201, tokenWire()));

    // Act
    await run();

    // Assess
    expect(requests[0]?.body).toEqual({});
  });

  it('after a 401 with a key rotated since it was cached, refreshes and retries once with the new key', async () => {
    // Prepare
    const { log, k1, k2, create } = setup();
    const { run, requests } = create((request) =>
      request.headers.authorization === `Bearer ${k1}`
        ? clerkError(401, 'authentication_invalid')
        : json(201, tokenWire()),
    );

    // Act
    const token = await run();

    // Assess
    expect(requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${k1}`, `Bearer ${k2}`]);
    expect(token.machineKeyVersionId).toBe('v2');
    expectNoKeyLeak(log.lines, [k1, k2]);
  });

  it('throws the 401 as ClerkApiError CLERK_UNAUTHORIZED without a second create when the key did not change', async () => {
    // Prepare
    const { sm, log, k1, k2, answer, create } = setup();
    sm.mock.on(GetSecretValueCommand).resolves(answer('v1', k1));
    const { run, requests } = create(() => clerkError(401, 'authentication_invalid'));

    // Act
    const thrown = await run().catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(1);
    expect(thrown).toBeInstanceOf(ClerkApiError);
    expect(thrown).toMatchObject({
      code: ErrorCode.clerkUnauthorized,
      status: 401,
      clerkCode: 'authentication_invalid',
      clerkTraceId: 'trace_123',
      operation: 'createM2MToken',
    });
    expectNoKeyLeak([(thrown as Error).message, ...log.lines], [k1, k2]);
  });

  it('retries a 429 after Retry-After (seconds → milliseconds)', async () => {
    // Prepare
    const { create } = setup();
    const { run, requests, sleeps } = create((_request, index) =>
      index === 0 ? clerkError(429, 'too_many_requests', { 'retry-after': '2' }) : json(201, tokenWire()),
    );

    // Act
    await run();

    // Assess
    expect(requests).toHaveLength(2);
    expect(sleeps).toContain(2_000);
  });

  it.each([
    ['a 500', () => clerkError(500, 'internal_clerk_error'), ErrorCode.clerkServerError, true],
    ['a 503', () => clerkError(503, 'service_unavailable'), ErrorCode.clerkServerError, true],
    ['a 422', () => clerkError(422, 'form_param_value_invalid'), ErrorCode.clerkBadRequest, false],
    ['a network failure', () => Promise.reject(new TypeError('fetch failed')), ErrorCode.clerkNetwork, true],
    ['a 201 that is not JSON', () => new Response('ok', { status: 201 }), ErrorCode.clerkInvalidResponse, true],
    ['a 201 without a token', () => json(201, tokenWire({ token: undefined })), ErrorCode.clerkInvalidResponse, true],
  ])('never retries a create blindly: %s throws at once', async (_name, respond, code, ambiguous) => {
    // Prepare
    const { k1, create } = setup();
    const { run, requests } = create(respond);

    // Act
    const thrown = await run().catch((e: unknown) => e);

    // Assess
    expect(requests).toHaveLength(1);
    expect(thrown).toBeInstanceOf(ClerkApiError);
    expect(thrown).toMatchObject({ code, ambiguous });
    expectNoKeyLeak([(thrown as Error).message], [k1]);
  });

  it.each([
    [{ secondsUntilExpiration: 0 }, /secondsUntilExpiration: must be a positive number of seconds/],
    [{ secondsUntilExpiration: -5 }, /secondsUntilExpiration/],
    [{ secondsUntilExpiration: 60, minRemainingTtlSeconds: 60 }, /minRemainingTtlSeconds: must be less than/],
    [{ minRemainingTtlSeconds: 1.5 }, /minRemainingTtlSeconds: must be a whole number/],
    [{ tokenFormat: 'paseto' as 'jwt' }, /tokenFormat/],
    [{ apiUrl: 'http://api.clerk.test/v1' }, /CLERK_API_URL: must be an https URL/],
  ])('refuses bad options before any request: %o', async (options, message) => {
    // Prepare
    const { sm, create } = setup();
    const { run, requests } = create(() => json(201, tokenWire()), options);

    // Act
    const thrown = await run().catch((e: unknown) => e);

    // Assess
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
    expect(requests).toHaveLength(0);
    expect(sm.getCalls()).toHaveLength(0);
  });
});
