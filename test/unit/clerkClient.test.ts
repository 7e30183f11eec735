import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createClerkClient } from '../../lib/clerk/ClerkClient.ts';
import { MAX_RESPONSE_BYTES } from '../../lib/clerk/sendClerkRequest.ts';
import { ClerkApiError, ErrorCode } from '../../lib/errors.ts';
import { Redacted } from '../../lib/Redacted.ts';

const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
const INSTANCE_KEY = new Redacted('sk_test_instancekeyvalue0123456789');
const MACHINE_KEY = new Redacted('ak_machinekeyvalue0123456789abcdef');
const NEW_KEY = 'ak_newkeyvalue0123456789abcdefabcd';

type Reply = Response | Error | ((init: RequestInit | undefined) => Promise<Response>);

/** A fetch that answers from a script and records what was sent. */
function scriptedFetch(...replies: Reply[]) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), init });
    const reply = replies.shift();
    if (reply === undefined) throw new Error('script exhausted');
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return reply(init);
    return reply;
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const headersOf = (init: RequestInit | undefined) => (init?.headers ?? {}) as Record<string, string>;
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const clerkError = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(status, { errors: [{ message: code, long_message: code, code }], clerk_trace_id: 'trace_abc123' }, headers);
const secretReply = (secret = NEW_KEY) => json(200, { object: 'machine_secret_key', secret });

function client(fetch: typeof globalThis.fetch, extra: Partial<Parameters<typeof createClerkClient>[0]> = {}) {
  let now = 1_000_000;
  const slept: number[] = [];
  const c = createClerkClient({
    fetch,
    apiUrl: 'https://api.clerk.test/v1',
    clock: { now: () => now },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    retry: { minTimeoutMs: 1, maxTimeoutMs: 2 },
    ...extra,
  });
  return { c, slept, advance: (ms: number) => (now += ms) };
}

async function caught(promise: Promise<unknown>): Promise<ClerkApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClerkApiError);
  const message = (error as Error).message;
  for (const key of [INSTANCE_KEY, MACHINE_KEY]) expect(message).not.toContain(key.reveal());
  expect(message).not.toContain(NEW_KEY);
  return error as ClerkApiError;
}

describe('Function: createClerkClient — requests', () => {
  it('reads the secret key with the instance key, the API version, a User-Agent and JSON accept', async () => {
    const { fetch, requests } = scriptedFetch(secretReply());
    const key = await client(fetch).c.getMachineSecretKey(INSTANCE_KEY, MACHINE);
    expect(key.reveal()).toBe(NEW_KEY);
    expect(String(key)).toBe('[redacted]');
    expect(requests[0]?.url).toBe(`https://api.clerk.test/v1/machines/${MACHINE}/secret_key`);
    expect(requests[0]?.init?.method).toBe('GET');
    const headers = headersOf(requests[0]?.init);
    expect(headers).toMatchObject({
      Authorization: `Bearer ${INSTANCE_KEY.reveal()}`,
      'Clerk-API-Version': '2026-05-12',
      'User-Agent': 'clerk-machine-key-rotator/0.1.0',
    });
    expect(headers['Content-Type']).toBeUndefined();
  });

  it('rotates with previous_token_ttl in a JSON body', async () => {
    const { fetch, requests } = scriptedFetch(secretReply());
    await client(fetch).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 600);
    expect(requests[0]?.url).toBe(`https://api.clerk.test/v1/machines/${MACHINE}/secret_key/rotate`);
    expect(requests[0]?.init?.method).toBe('POST');
    expect(requests[0]?.init?.body).toBe('{"previous_token_ttl":600}');
    expect(headersOf(requests[0]?.init)['Content-Type']).toBe('application/json');
  });

  it('proves a machine key by listing one token of that machine with the machine key', async () => {
    const { fetch, requests } = scriptedFetch(json(200, { m2m_tokens: [], total_count: 0 }));
    await client(fetch).c.verifyMachineKey(MACHINE_KEY, MACHINE);
    expect(requests[0]?.url).toBe(`https://api.clerk.test/v1/m2m_tokens?subject=${MACHINE}&limit=1`);
    expect(headersOf(requests[0]?.init).Authorization).toBe(`Bearer ${MACHINE_KEY.reveal()}`);
  });

  it.each(['mch_a/b', '../mch_x', 'mch_%2F', 'mch_é', ''])('refuses machine id %j before any request', async (id) => {
    const { fetch, requests } = scriptedFetch();
    const c = client(fetch).c;
    await expect(c.getMachineSecretKey(INSTANCE_KEY, id)).rejects.toMatchObject({
      code: ErrorCode.secretFormatInvalid,
    });
    await expect(c.rotateMachineSecretKey(INSTANCE_KEY, id, 0)).rejects.toMatchObject({
      code: ErrorCode.secretFormatInvalid,
    });
    await expect(c.verifyMachineKey(MACHINE_KEY, id)).rejects.toMatchObject({ code: ErrorCode.secretFormatInvalid });
    expect(requests).toEqual([]);
  });

  it('refuses an http API URL to a non-loopback host', () => {
    expect(() => createClerkClient({ fetch: globalThis.fetch, apiUrl: 'http://api.clerk.com/v1' })).toThrow(
      /CLERK_API_URL: must be an https URL/,
    );
  });
});

describe('Function: createClerkClient — errors are typed', () => {
  it.each([
    [401, 'authentication_invalid', ErrorCode.clerkUnauthorized],
    [403, 'authorization_invalid', ErrorCode.clerkForbidden],
    [404, 'resource_not_found', ErrorCode.clerkNotFound],
    [422, 'form_param_value_invalid', ErrorCode.clerkBadRequest],
    [400, 'request_body_invalid', ErrorCode.clerkBadRequest],
  ])('maps %i %s to %s with status, Clerk code and trace id, without retrying', async (status, code, expected) => {
    const { fetch, requests } = scriptedFetch(clerkError(status, code));
    const error = await caught(client(fetch).c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    expect(error).toMatchObject({
      code: expected,
      status,
      clerkCode: code,
      clerkTraceId: 'trace_abc123',
      ambiguous: false,
    });
    expect(error.message).toMatch(
      new RegExp(`GetMachineSecretKey: .*${code} \\(HTTP ${status}, clerk_trace_id trace_abc123\\)`),
    );
    expect(requests).toHaveLength(1);
  });

  it.each([
    [
      'an HTML error page',
      new Response('<html>502</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
      /expected a JSON body, got content-type text\/html/,
    ],
    [
      'an empty body',
      new Response('', { status: 200, headers: { 'content-type': 'application/json' } }),
      /expected a JSON body/,
    ],
    ['no content type', new Response('{"object":"machine_secret_key"}', { status: 200 }), /content-type text\/plain/],
    ['a body without secret', json(200, { object: 'machine_secret_key' }), /expected \{"object": "machine_secret_key"/],
    [
      'a secret without ak_',
      json(200, { object: 'machine_secret_key', secret: 'sk_test_oops' }),
      /does not start with "ak_"/,
    ],
    ['a secret that is not a string', json(200, { object: 'machine_secret_key', secret: 42 }), /expected \{"object"/],
    [
      'a body over the size limit (declared)',
      new Response('x', {
        status: 200,
        headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      }),
      /larger than/,
    ],
  ])('refuses %s as CLERK_INVALID_RESPONSE', async (_, reply, message) => {
    const { fetch } = scriptedFetch(reply);
    const error = await caught(client(fetch).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0));
    expect(error.code).toBe(ErrorCode.clerkInvalidResponse);
    expect(error.ambiguous).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('stops reading a 10 MB streamed body without a length and refuses it', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(32);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const { fetch } = scriptedFetch(
      new Response(stream, { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const error = await caught(client(fetch).c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    expect(error.message).toMatch(new RegExp(`larger than ${MAX_RESPONSE_BYTES} bytes`));
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it('refuses a token listing without m2m_tokens', async () => {
    const { fetch } = scriptedFetch(json(200, { data: [] }));
    const error = await caught(client(fetch).c.verifyMachineKey(MACHINE_KEY, MACHINE));
    expect(error).toMatchObject({ code: ErrorCode.clerkInvalidResponse, ambiguous: false });
  });
});

describe('Function: createClerkClient — the retry policy', () => {
  it('retries reads on network errors, 5xx and 429 (honouring Retry-After in seconds)', async () => {
    const { fetch, requests } = scriptedFetch(
      new TypeError('fetch failed'),
      clerkError(503, 'service_unavailable'),
      clerkError(429, 'too_many_requests', { 'retry-after': '3' }),
      secretReply(),
    );
    const { c, slept } = client(fetch);
    await expect(c.getMachineSecretKey(INSTANCE_KEY, MACHINE)).resolves.toBeInstanceOf(Redacted);
    expect(requests).toHaveLength(4);
    expect(slept).toEqual([3000]);
  });

  it('gives up on reads after the retry budget with the last error', async () => {
    const { fetch, requests } = scriptedFetch(
      ...Array.from({ length: 4 }, () => clerkError(500, 'internal_clerk_error')),
    );
    const error = await caught(client(fetch).c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    expect(error).toMatchObject({ code: ErrorCode.clerkServerError, ambiguous: true, status: 500 });
    expect(requests).toHaveLength(4);
  });

  it.each([
    ['a 5xx', clerkError(502, 'bad_gateway'), ErrorCode.clerkServerError],
    ['a reset connection', new TypeError('fetch failed'), ErrorCode.clerkNetwork],
  ])('never retries a rotate after %s: it is ambiguous and left to the caller to reconcile', async (_, reply, code) => {
    const { fetch, requests } = scriptedFetch(reply, secretReply());
    const error = await caught(client(fetch).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0));
    expect(error).toMatchObject({ code, ambiguous: true });
    expect(requests).toHaveLength(1);
  });

  it('never sends a rotate twice, not even after a 429: each send must be recorded first, by the caller', async () => {
    const { fetch, requests } = scriptedFetch(
      clerkError(429, 'too_many_requests', { 'retry-after': '1' }),
      secretReply(),
    );
    const { c, slept } = client(fetch);
    const error = await caught(c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0));
    expect(error).toMatchObject({ code: 'CLERK_RATE_LIMITED', ambiguous: false, retryAfterSeconds: 1 });
    expect(requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it.each([500, 502, 503, 504])(
    'calls a %s reply to a rotate ambiguous, with or without Clerk’s envelope',
    async (status) => {
      const { fetch } = scriptedFetch(clerkError(status, 'gateway_timeout'));
      const error = await caught(client(fetch).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0));
      expect(error).toMatchObject({ status, ambiguous: true });
    },
  );

  it.each([400, 401, 403, 404, 409, 422, 429])(
    'calls a %s reply to a rotate definite: it was not processed',
    async (status) => {
      const { fetch } = scriptedFetch(clerkError(status, 'some_code'));
      const error = await caught(
        client(fetch, { retry: { retries: 0 } }).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0),
      );
      expect(error).toMatchObject({ status, ambiguous: false });
    },
  );

  it('reads Retry-After as an HTTP date too', async () => {
    const { fetch } = scriptedFetch(
      clerkError(429, 'too_many_requests', { 'retry-after': new Date(1_000_000 + 2_000).toUTCString() }),
    );
    const error = await caught(client(fetch, { retry: { retries: 0 } }).c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    expect(error.retryAfterSeconds).toBe(2);
  });

  it('does not wait for a Retry-After that would pass the deadline', async () => {
    const { fetch, requests } = scriptedFetch(
      clerkError(429, 'too_many_requests', { 'retry-after': '10' }),
      secretReply(),
    );
    const { c, slept } = client(fetch, { deadline: 1_000_000 + 5_000 });
    const error = await caught(c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    expect(error).toMatchObject({ code: ErrorCode.clerkRateLimited, retryAfterSeconds: 10 });
    expect(error.message).toMatch(/retry after 10 s/);
    expect(requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('sends nothing once the deadline has passed', async () => {
    const { fetch, requests } = scriptedFetch(secretReply());
    const error = await caught(client(fetch, { deadline: 999_000 }).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0));
    expect(error).toMatchObject({ code: ErrorCode.clerkDeadline, ambiguous: false });
    expect(requests).toEqual([]);
  });

  it('times out a request that does not answer, as an ambiguous CLERK_TIMEOUT', async () => {
    const hang = (init: RequestInit | undefined) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const { fetch } = scriptedFetch(hang);
    const error = await caught(
      client(fetch, { requestTimeoutMs: 20 }).c.rotateMachineSecretKey(INSTANCE_KEY, MACHINE, 0),
    );
    expect(error).toMatchObject({ code: ErrorCode.clerkTimeout, ambiguous: true });
    expect(error.message).toMatch(/no complete response within 20 ms/);
  });

  it('caps a read’s timeout at the time left before the deadline', async () => {
    const hang = (init: RequestInit | undefined) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const { fetch } = scriptedFetch(hang);
    const error = await caught(
      client(fetch, {
        requestTimeoutMs: 60_000,
        deadline: 1_000_000 + 30,
        retry: { retries: 0 },
      }).c.getMachineSecretKey(INSTANCE_KEY, MACHINE),
    );
    expect(error.message).toMatch(/within 30 ms/);
  });

  it('does not send a rotate whose whole timeout does not fit before the deadline (it could land unread)', async () => {
    const { fetch, requests } = scriptedFetch(secretReply());
    const error = await caught(
      client(fetch, { requestTimeoutMs: 5_000, deadline: 1_000_000 + 13 }).c.rotateMachineSecretKey(
        INSTANCE_KEY,
        MACHINE,
        0,
      ),
    );
    expect(error).toMatchObject({ code: 'CLERK_DEADLINE', ambiguous: false });
    expect(error.message).toMatch(/not sent: 13 ms left before the deadline, less than the 5000 ms timeout/);
    expect(requests).toHaveLength(0);
  });

  it('keeps no raw network error as the cause: fetch’s messages can quote the Authorization header', async () => {
    const fetch = (async () => {
      throw new TypeError(`Headers.append: "Bearer ${INSTANCE_KEY.reveal()}" is an invalid header value.`, {
        cause: Object.assign(new Error('x'), { code: 'ERR_INVALID_CHAR' }),
      });
    }) as typeof globalThis.fetch;
    const error = await caught(client(fetch, { retry: { retries: 0 } }).c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    expect(error.message).toMatch(/network error \(TypeError: ERR_INVALID_CHAR\)/);
    expect(inspect(error, { depth: 10 })).not.toContain(INSTANCE_KEY.reveal());
  });

  it('strips control characters from Clerk’s error code and trace id, and caps them', async () => {
    const body = {
      errors: [{ code: '\u001b[2K\rok\u0007', message: 'x' }],
      clerk_trace_id: `\u001b]8;;http://evil\u0007${'t'.repeat(11_000)}`,
    };
    const { fetch } = scriptedFetch(
      async () => new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } }),
    );
    const error = await caught(client(fetch).c.getMachineSecretKey(INSTANCE_KEY, MACHINE));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(error.clerkCode).toBe(' ok');
    expect(error.message.length).toBeLessThan(600);
  });
});
