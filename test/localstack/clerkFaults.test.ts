import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClerkEmulator,
  type ClerkEmulatorOptions,
  InvalidEmulatorOptionError,
  ManualClock,
  startClerkEmulator,
} from '../../localstack/clerk/index.ts';

interface ErrorBody {
  errors: { code: string; message: string; long_message: string }[];
  clerk_trace_id: string;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

const send = async (
  emu: ClerkEmulator,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown } = {},
): Promise<Reply> => {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: {
      ...(opts.key === undefined ? {} : { authorization: `Bearer ${opts.key}` }),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

const errorCode = (reply: Reply): string | undefined => (JSON.parse(reply.text) as ErrorBody).errors[0]?.code;

const started: ClerkEmulator[] = [];
const start = async (options: ClerkEmulatorOptions = {}): Promise<ClerkEmulator> => {
  const emu = await startClerkEmulator({ clock: new ManualClock(Date.UTC(2026, 4, 12)), ...options });
  started.push(emu);
  return emu;
};

afterEach(async () => {
  await Promise.all(started.splice(0).map((emu) => emu.close()));
});

const rotatePath = (machineId: string) => `/machines/${machineId}/secret_key/rotate`;

describe('Class: FaultInjector (through the emulator)', () => {
  it('failNext answers the next N matching calls with the status in the envelope, without processing them', async () => {
    // Prepare
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    const key = emu.defaultInstance.secretKey;
    const handle = emu.faults.failNext('rotateMachineSecretKey', { status: 503, times: 2 });
    // Act
    const first = await send(emu, 'POST', rotatePath(machine.id), { key, body: { previous_token_ttl: 0 } });
    const other = await send(emu, 'GET', `/machines/${machine.id}/secret_key`, { key });
    const second = await send(emu, 'POST', rotatePath(machine.id), { key, body: { previous_token_ttl: 0 } });
    const third = await send(emu, 'POST', rotatePath(machine.id), { key, body: { previous_token_ttl: 0 } });
    // Assess
    expect([first.status, other.status, second.status, third.status]).toEqual([503, 200, 503, 200]);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(errorCode(first)).toBe('service_unavailable');
    expect(handle.triggered).toBe(2);
    expect(emu.faults.active).toBe(0);
    expect(emu.rotationsFor(machine.id)).toHaveLength(1);
    expect(emu.audit.entries({ status: 503 }).map((e) => e.fault)).toEqual(['error', 'error']);
  });

  it('failNext with 429 sends Retry-After and too_many_requests', async () => {
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    emu.faults.failNext('GetMachineSecretKey', { status: 429, retryAfterSeconds: 7 });
    const reply = await send(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: emu.defaultInstance.secretKey });
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('7');
    expect(errorCode(reply)).toBe('too_many_requests');
  });

  it('matches by method and path pattern, with or without /v1, and by RegExp', async () => {
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    const key = emu.defaultInstance.secretKey;
    emu.faults.failNext({ method: 'GET', path: '/machines/{machine_id}/secret_key' }, { status: 500 });
    emu.faults.failNext({ path: '/v1/machines/*' }, { status: 502 });
    emu.faults.failNext({ path: /\/machines$/ }, { status: 504 });
    expect((await send(emu, 'GET', `/machines/${machine.id}/secret_key`, { key })).status).toBe(500);
    expect((await send(emu, 'GET', `/machines/${machine.id}`, { key })).status).toBe(502);
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(504);
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(200);
  });

  it('refuses an operation name it does not know', async () => {
    const emu = await start();
    expect(() => emu.faults.failNext('rotateMachineKey')).toThrow(InvalidEmulatorOptionError);
    expect(() => emu.faults.failNext('*', { status: 99 })).toThrow(/status/);
    expect(() => emu.faults.failNext('*', { times: 0 })).toThrow(/times/);
  });

  it('dropAfterProcessing rotates the key and then closes the connection without a response', async () => {
    // Prepare
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    emu.faults.dropAfterProcessing('rotateMachineSecretKey');
    // Act
    const error = await send(emu, 'POST', rotatePath(machine.id), {
      key: emu.defaultInstance.secretKey,
      body: { previous_token_ttl: 60 },
    }).catch((e: unknown) => e);
    // Assess: the client saw a network failure, but Clerk's state changed
    expect(error).toBeInstanceOf(TypeError);
    expect(emu.currentKey(machine.id)).not.toBe(machine.secretKey);
    expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(true);
    expect(emu.rotationsFor(machine.id)).toEqual([
      expect.objectContaining({ status: 200, outcome: 'dropped-after-processing', fault: 'drop-after-processing' }),
    ]);
    // The lost response is recoverable without a second rotate
    const get = await send(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: emu.defaultInstance.secretKey });
    expect(JSON.parse(get.text)).toEqual({ object: 'machine_secret_key', secret: emu.currentKey(machine.id) });
  });

  it('dropBeforeProcessing closes the connection and changes nothing', async () => {
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    emu.faults.dropBeforeProcessing('rotateMachineSecretKey');
    const error = await send(emu, 'POST', rotatePath(machine.id), {
      key: emu.defaultInstance.secretKey,
      body: { previous_token_ttl: 60 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(emu.currentKey(machine.id)).toBe(machine.secretKey);
    expect(emu.rotationsFor(machine.id)).toEqual([]);
    expect(emu.audit.entries()).toEqual([
      expect.objectContaining({ status: null, outcome: 'dropped-before-processing', keyKind: 'instance' }),
    ]);
  });

  it.each<[string, number, string, Record<string, string>]>([
    ['an HTML page with 200', 200, '<html><body>Bad gateway</body></html>', { 'content-type': 'text/html' }],
    ['an empty 502', 502, '', {}],
    ['JSON with a wrong content type', 200, '{"object":"machine_secret_key"}', { 'content-type': 'text/plain' }],
  ])('respondWith sends %s exactly as given', async (_what, status, body, headers) => {
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    emu.faults.respondWith('getMachineSecretKey', { status, body, headers });
    const reply = await send(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: emu.defaultInstance.secretKey });
    expect(reply.status).toBe(status);
    expect(reply.text).toBe(body);
    expect(reply.headers.get('content-type')).toBe(headers['content-type'] ?? null);
    expect(emu.audit.entries()[0]).toMatchObject({ status, fault: 'raw' });
  });

  it('respondWith can send a huge body', async () => {
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    const huge = new Uint8Array(2 * 1024 * 1024).fill(0x61);
    emu.faults.respondWith('getMachineSecretKey', {
      status: 200,
      body: huge,
      headers: { 'content-type': 'application/json' },
    });
    const reply = await send(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: emu.defaultInstance.secretKey });
    expect(reply.text.length).toBe(huge.length);
  });

  it('addLatency delays matching calls (per endpoint and globally, adding up) until removed', async () => {
    const emu = await start({ rateLimit: false });
    const key = emu.defaultInstance.secretKey;
    const perEndpoint = emu.faults.addLatency('listMachines', 120);
    const global = emu.faults.addLatency('*', 80);
    const timed = async () => {
      const t0 = performance.now();
      await send(emu, 'GET', '/machines', { key });
      return performance.now() - t0;
    };
    expect(await timed()).toBeGreaterThanOrEqual(195);
    perEndpoint.remove();
    global.remove();
    await timed();
    // Timing only bounds from below (CI can be slow); the audit log says exactly what latency was applied.
    expect(emu.audit.entries().map((e) => e.latencyMs)).toEqual([200, undefined]);
  });

  it('still processes a delayed call whose client gave up waiting (a lost response by client timeout)', async () => {
    const emu = await start({ rateLimit: false });
    const machine = emu.createMachine();
    emu.faults.addLatency('rotateMachineSecretKey', 150);
    const error = await fetch(`${emu.url}${rotatePath(machine.id)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.defaultInstance.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ previous_token_ttl: 60 }),
      signal: AbortSignal.timeout(30),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emu.currentKey(machine.id)).not.toBe(machine.secretKey);
    expect(emu.rotationsFor(machine.id)).toHaveLength(1);
  });

  it('randomly fails a seeded, reproducible share of calls', async () => {
    const outcomes = async (seed: number) => {
      const emu = await start({ rateLimit: false, seed });
      const handle = emu.faults.randomly({ rate: 0.3, kind: '5xx', match: 'listMachines' });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++)
        statuses.push((await send(emu, 'GET', '/machines', { key: emu.defaultInstance.secretKey })).status);
      return { statuses, triggered: handle.triggered };
    };
    const a = await outcomes(42);
    const b = await outcomes(42);
    const c = await outcomes(7);
    expect(a).toEqual(b);
    expect(a.statuses).not.toEqual(c.statuses);
    expect(a.triggered).toBeGreaterThan(3);
    expect(a.triggered).toBeLessThan(25);
    expect(a.statuses.filter((s) => s === 503)).toHaveLength(a.triggered);
  });

  it('randomly with rate 1 hits every call and with rate 0 none; random kinds include drops and 429', async () => {
    const emu = await start({ rateLimit: false });
    const key = emu.defaultInstance.secretKey;
    const never = emu.faults.randomly({ rate: 0, kind: '5xx' });
    const always = emu.faults.randomly({ rate: 1, kind: '429', retryAfterSeconds: 3, match: 'listMachines' });
    const reply = await send(emu, 'GET', '/machines', { key });
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('3');
    always.remove();
    emu.faults.randomly({ rate: 1, kind: 'drop-before-processing' });
    await expect(send(emu, 'GET', '/machines', { key })).rejects.toThrow();
    expect(never.triggered).toBe(0);
    expect(() => emu.faults.randomly({ rate: 1.5, kind: '5xx' })).toThrow(/rate/);
    expect(() => emu.faults.randomly({ rate: 0.5, kind: '5xx', status: 404 })).toThrow(/5xx/);
    emu.faults.clear();
    expect(emu.faults.active).toBe(0);
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(200);
  });
});

describe('Class: RateLimiter (through the emulator)', () => {
  it("defaults to Clerk's development limit: 100 requests per 10 s per instance key", async () => {
    const emu = await start();
    const key = emu.defaultInstance.secretKey;
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await send(emu, 'GET', '/machines', { key })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.at(-1)).toBe(429);
  });

  it('answers 429 too_many_requests with Retry-After in whole seconds until the window ends', async () => {
    // Prepare
    const clock = new ManualClock(0);
    const emu = await start({ clock, rateLimit: { limit: 2, windowMs: 10_000 } });
    const key = emu.defaultInstance.secretKey;
    await send(emu, 'GET', '/machines', { key });
    await send(emu, 'GET', '/machines', { key });
    // Act
    const limited = await send(emu, 'GET', '/machines', { key });
    clock.advance(4_500);
    const stillLimited = await send(emu, 'GET', '/machines', { key });
    clock.advance(5_500);
    const allowed = await send(emu, 'GET', '/machines', { key });
    // Assess
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe('too_many_requests');
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(stillLimited.headers.get('retry-after')).toBe('6');
    expect(allowed.status).toBe(200);
    expect(emu.audit.entries({ status: 429 })).toHaveLength(2);
  });

  it('keeps separate budgets per instance and per machine, shared across a machine key rotation', async () => {
    const emu = await start({ rateLimit: { limit: 1, windowMs: 10_000 } });
    const machine = emu.createMachine();
    const other = emu.createInstance();
    const list = (key: string) => send(emu, 'GET', `/m2m_tokens?subject=${machine.id}`, { key });
    expect((await list(machine.secretKey)).status).toBe(200);
    expect((await list(machine.secretKey)).status).toBe(429);
    expect((await list(emu.defaultInstance.secretKey)).status).toBe(200);
    expect((await send(emu, 'GET', '/machines', { key: other.secretKey })).status).toBe(200);
    const rotated = emu.rotateViaDashboard(machine.id, { previousTokenTtlSeconds: 60 });
    expect((await list(rotated)).status).toBe(429);
  });

  it('does not count unauthenticated calls or injected faults', async () => {
    const emu = await start({ rateLimit: { limit: 1, windowMs: 10_000 } });
    const key = emu.defaultInstance.secretKey;
    await send(emu, 'GET', '/machines');
    emu.faults.failNext('listMachines', { status: 500 });
    await send(emu, 'GET', '/machines', { key });
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(200);
  });

  it('can be disabled at start and reconfigured at run time', async () => {
    const emu = await start({ rateLimit: false });
    const key = emu.defaultInstance.secretKey;
    for (let i = 0; i < 105; i++) expect((await send(emu, 'GET', '/machines', { key })).status).toBe(200);
    emu.rateLimiter.configure({ limit: 1, windowMs: 1000 });
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(200);
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(429);
    emu.rateLimiter.reset();
    expect((await send(emu, 'GET', '/machines', { key })).status).toBe(200);
    expect(() => emu.rateLimiter.configure({ limit: 0, windowMs: 1000 })).toThrow(/rateLimit.limit/);
  });
});
