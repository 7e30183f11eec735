import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClerkEmulator,
  InvalidEmulatorOptionError,
  ManualClock,
  startClerkEmulator,
  UnknownMachineError,
} from '../../localstack/clerk/index.ts';

interface ErrorBody {
  errors: { message: string; long_message: string; code: string; meta?: Record<string, unknown> }[];
  clerk_trace_id: string;
}
interface MachineBody {
  object: string;
  id: string;
  name: string;
  instance_id: string;
  created_at: number;
  updated_at: number;
  default_token_ttl: number;
  scoped_machines: { id: string }[];
  secret_key?: string;
}
interface SecretKeyBody {
  object: string;
  secret: string;
}

interface Reply<T> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

const call = async <T = ErrorBody>(
  emu: ClerkEmulator,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> => {
  const headers: Record<string, string> = {
    ...(opts.key === undefined ? {} : { authorization: `Bearer ${opts.key}` }),
  };
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${emu.url}${path}`, { method, headers: { ...headers, ...opts.headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (text === '' ? undefined : JSON.parse(text)) as T };
};

describe('Function: startClerkEmulator', () => {
  let emu: ClerkEmulator;
  let clock: ManualClock;
  let instanceKey: string;

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 4, 12));
    emu = await startClerkEmulator({ clock, rateLimit: false });
    instanceKey = emu.defaultInstance.secretKey;
  });

  afterEach(async () => {
    await emu.close();
  });

  describe('server', () => {
    it('listens on loopback under /v1 and answers JSON', async () => {
      // Assess
      expect(emu.url).toBe(`http://127.0.0.1:${emu.port}/v1`);
      const res = await call(emu, 'GET', '/machines', { key: instanceKey });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
    });

    it('answers unknown paths and unimplemented spec operations with a 404 envelope', async () => {
      const unknown = await call(emu, 'GET', '/nothing', { key: instanceKey });
      const patch = await call(emu, 'PATCH', `/machines/${emu.createMachine().id}`, { key: instanceKey, body: {} });
      expect(unknown.status).toBe(404);
      expect(unknown.json.errors[0]?.code).toBe('resource_not_found');
      expect(patch.status).toBe(404);
      expect(emu.audit.entries({ operation: 'unknown' })).toHaveLength(2);
    });

    it('close() ends idle keep-alive sockets promptly', async () => {
      // Prepare: a keep-alive connection that stays open, idle, after its response
      const agent = new Agent({ keepAlive: true });
      const socket = await new Promise<Socket>((resolve, reject) => {
        let clientSocket: Socket | undefined;
        const req = httpRequest(
          `${emu.url}/machines`,
          { headers: { authorization: `Bearer ${instanceKey}` }, agent },
          (res) => {
            res.resume();
            res.on('end', () => (clientSocket === undefined ? reject(new Error('no socket')) : resolve(clientSocket)));
          },
        );
        req.on('socket', (s) => {
          clientSocket = s;
        });
        req.on('error', reject);
        req.end();
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(socket.destroyed).toBe(false);
      const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      // Act
      const started = Date.now();
      await emu.close();
      await socketClosed;
      // Assess
      expect(Date.now() - started).toBeLessThan(1000);
      agent.destroy();
    });

    it('close() does not wait for injected latency, and the delayed call is never processed', async () => {
      const machine = emu.createMachine();
      emu.faults.addLatency('rotateMachineSecretKey', 60_000);
      const pending = call(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
        key: instanceKey,
        body: { previous_token_ttl: 0 },
      }).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await emu.close();
      expect(await pending).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(emu.currentKey(machine.id)).toBe(machine.secretKey);
    });

    it('refuses an invalid port', async () => {
      await expect(startClerkEmulator({ port: 70_000 })).rejects.toThrow(InvalidEmulatorOptionError);
    });
  });

  describe('authentication', () => {
    it('answers a missing Authorization header with 401 authentication_invalid in the envelope', async () => {
      const res = await call(emu, 'GET', '/machines');
      expect(res.status).toBe(401);
      expect(res.json.errors[0]).toMatchObject({ code: 'authentication_invalid' });
      expect(res.json.errors[0]?.message).toEqual(expect.any(String));
      expect(res.json.errors[0]?.long_message).toEqual(expect.any(String));
      expect(res.json.clerk_trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(emu.audit.entries()[0]).toMatchObject({ keyKind: 'none', status: 401, outcome: 'error' });
    });

    it('answers an unknown key and a malformed header with 401, never echoing the key', async () => {
      const wrongKey = 'sk_test_notARealKeyButSecretAnyway';
      const unknown = await call(emu, 'GET', '/machines', { key: wrongKey });
      const malformed = await call(emu, 'GET', '/machines', { headers: { authorization: `Basic ${instanceKey}` } });
      expect(unknown.status).toBe(401);
      expect(malformed.status).toBe(401);
      expect(unknown.text).not.toContain(wrongKey);
      expect(malformed.text).not.toContain(instanceKey);
      expect(emu.audit.entries().map((e) => e.keyKind)).toEqual(['invalid', 'invalid']);
    });

    it('answers a machine key on /machines with 403 authorization_invalid', async () => {
      const machine = emu.createMachine();
      const res = await call(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: machine.secretKey });
      expect(res.status).toBe(403);
      expect(res.json.errors[0]?.code).toBe('authorization_invalid');
      expect(emu.audit.entries()[0]).toMatchObject({ keyKind: 'machine', machineId: machine.id });
    });

    it('answers the instance key on POST /m2m_tokens with 403 authorization_invalid', async () => {
      const res = await call(emu, 'POST', '/m2m_tokens', { key: instanceKey, body: {} });
      expect(res.status).toBe(403);
      expect(res.json.errors[0]?.code).toBe('authorization_invalid');
    });

    it("treats another instance's machine as not found", async () => {
      const other = emu.createInstance();
      const foreign = emu.createMachine({ instanceId: other.id });
      const res = await call(emu, 'GET', `/machines/${foreign.id}/secret_key`, { key: instanceKey });
      const own = await call<SecretKeyBody>(emu, 'GET', `/machines/${foreign.id}/secret_key`, { key: other.secretKey });
      expect(res.status).toBe(404);
      expect(res.json.errors[0]?.code).toBe('resource_not_found');
      expect(own.status).toBe(200);
      expect(own.json.secret).toBe(foreign.secretKey);
    });

    it('accepts a missing Clerk-API-Version header and records the header when sent', async () => {
      await call(emu, 'GET', '/machines', { key: instanceKey });
      await call(emu, 'GET', '/machines', { key: instanceKey, headers: { 'Clerk-API-Version': '2026-05-12' } });
      const [without, withHeader] = emu.audit.entries();
      expect(without?.status).toBe(200);
      expect(without?.apiVersionHeader).toBeUndefined();
      expect(withHeader?.apiVersionHeader).toBe('2026-05-12');
    });
  });

  describe('machines', () => {
    it('creates a machine (200, Machine.Created) with an mch_ id and an ak_ key', async () => {
      const res = await call<MachineBody>(emu, 'POST', '/machines', { key: instanceKey, body: { name: 'worker' } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        object: 'machine',
        name: 'worker',
        instance_id: emu.defaultInstance.id,
        default_token_ttl: 3600,
        scoped_machines: [],
        created_at: clock.now(),
      });
      expect(res.json.id).toMatch(/^mch_\w{27}$/);
      expect(res.json.secret_key).toMatch(/^ak_/);
      expect(emu.currentKey(res.json.id)).toBe(res.json.secret_key);
      expect(emu.audit.entries()[0]?.machineId).toBe(res.json.id);
    });

    it.each([
      [{}, 'form_param_missing', 'name'],
      [{ name: '' }, 'form_param_value_invalid', 'name'],
      [{ name: 'x'.repeat(256) }, 'form_param_value_invalid', 'name'],
      [{ name: 'a', default_token_ttl: 0 }, 'form_param_value_invalid', 'default_token_ttl'],
      [{ name: 'a', default_token_ttl: 1.5 }, 'form_param_value_invalid', 'default_token_ttl'],
      [{ name: 'a', scoped_machines: ['mch_unknown'] }, 'form_param_value_invalid', 'scoped_machines'],
    ])('refuses create body %j with 422 %s', async (body, code, param) => {
      const res = await call(emu, 'POST', '/machines', { key: instanceKey, body });
      expect(res.status).toBe(422);
      expect(res.json.errors[0]).toMatchObject({ code, meta: { param_name: param } });
    });

    it('gets, lists (newest first, paginated, searchable) and deletes machines', async () => {
      const first = emu.createMachine({ name: 'alpha' });
      clock.advance(1);
      const second = emu.createMachine({ name: 'beta', scopedMachineIds: [first.id] });

      const got = await call<MachineBody>(emu, 'GET', `/machines/${second.id}`, { key: instanceKey });
      expect(got.json.scoped_machines.map((m) => m.id)).toEqual([first.id]);
      expect(got.json).not.toHaveProperty('secret_key');

      const list = await call<{ data: MachineBody[]; total_count: number }>(emu, 'GET', '/machines', {
        key: instanceKey,
      });
      expect(list.json.data.map((m) => m.id)).toEqual([second.id, first.id]);
      expect(list.json.total_count).toBe(2);

      const page = await call<{ data: MachineBody[] }>(emu, 'GET', '/machines?limit=1&offset=1&order_by=-created_at', {
        key: instanceKey,
      });
      expect(page.json.data.map((m) => m.id)).toEqual([first.id]);

      const search = await call<{ data: MachineBody[] }>(emu, 'GET', '/machines?query=ALP', { key: instanceKey });
      expect(search.json.data.map((m) => m.id)).toEqual([first.id]);

      const deleted = await call(emu, 'DELETE', `/machines/${first.id}`, { key: instanceKey });
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual({ object: 'machine', id: first.id, deleted: true });
      expect((await call(emu, 'GET', `/machines/${first.id}`, { key: instanceKey })).status).toBe(404);
      expect(emu.isKeyValid(first.id, first.secretKey)).toBe(false);
      const after = await call<MachineBody>(emu, 'GET', `/machines/${second.id}`, { key: instanceKey });
      expect(after.json.scoped_machines).toEqual([]);
    });

    it.each(['limit=0', 'limit=501', 'limit=abc', 'offset=-1', 'order_by=size'])(
      'refuses list query %s with 422',
      async (query) => {
        const res = await call(emu, 'GET', `/machines?${query}`, { key: instanceKey });
        expect(res.status).toBe(422);
        expect(res.json.errors[0]?.code).toBe('form_param_value_invalid');
      },
    );
  });

  describe('secret key and rotation', () => {
    it('GET secret_key returns the current key', async () => {
      const machine = emu.createMachine();
      const res = await call<SecretKeyBody>(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: instanceKey });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ object: 'machine_secret_key', secret: machine.secretKey });
    });

    it('rotate answers 200 with a new key that is live at once and returned by GET secret_key', async () => {
      const machine = emu.createMachine();
      const res = await call<SecretKeyBody>(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
        key: instanceKey,
        body: { previous_token_ttl: 60 },
      });
      expect(res.status).toBe(200);
      expect(res.json.object).toBe('machine_secret_key');
      expect(res.json.secret).toMatch(/^ak_/);
      expect(res.json.secret).not.toBe(machine.secretKey);
      expect(emu.isKeyValid(machine.id, res.json.secret)).toBe(true);
      const get = await call<SecretKeyBody>(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: instanceKey });
      expect(get.json.secret).toBe(res.json.secret);
    });

    it('keeps the previous key for exactly previous_token_ttl seconds of the emulator clock', async () => {
      const machine = emu.createMachine();
      await call(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
        key: instanceKey,
        body: { previous_token_ttl: 30 },
      });
      expect(emu.previousKeyExpiresAt(machine.id)).toBe(clock.now() + 30_000);
      clock.advance(29_999);
      expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(true);
      const listed = await call(emu, 'GET', `/m2m_tokens?subject=${machine.id}`, { key: machine.secretKey });
      expect(listed.status).toBe(200);
      clock.advance(1);
      expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(false);
      const refused = await call(emu, 'GET', `/m2m_tokens?subject=${machine.id}`, { key: machine.secretKey });
      expect(refused.status).toBe(401);
      expect(emu.audit.entries().at(-1)?.keyKind).toBe('invalid');
    });

    it('previous_token_ttl 0 kills the previous key at once', async () => {
      const machine = emu.createMachine();
      await call(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
        key: instanceKey,
        body: { previous_token_ttl: 0 },
      });
      expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(false);
      expect(emu.previousKeyExpiresAt(machine.id)).toBeUndefined();
    });

    it('a second rotation inside the overlap kills the key from two rotations ago (conservative view)', async () => {
      const machine = emu.createMachine();
      const rotate = () =>
        call<SecretKeyBody>(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
          key: instanceKey,
          body: { previous_token_ttl: 3600 },
        });
      const second = (await rotate()).json.secret;
      clock.advance(1000);
      const third = (await rotate()).json.secret;
      expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(false);
      expect(emu.isKeyValid(machine.id, second)).toBe(true);
      expect(emu.isKeyValid(machine.id, third)).toBe(true);
      expect(emu.rotationsFor(machine.id)).toHaveLength(2);
    });

    it.each([
      [{}, 422, 'form_param_missing'],
      [{ previous_token_ttl: null }, 422, 'form_param_value_invalid'],
      [{ previous_token_ttl: '60' }, 422, 'form_param_value_invalid'],
      [{ previous_token_ttl: 1.5 }, 422, 'form_param_value_invalid'],
      [{ previous_token_ttl: -1 }, 422, 'form_param_value_invalid'],
      [{ previous_token_ttl: 28_801 }, 422, 'form_param_value_invalid'],
    ])('refuses rotate body %j with %i %s and leaves the key alone', async (body, status, code) => {
      const machine = emu.createMachine();
      const res = await call(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, { key: instanceKey, body });
      expect(res.status).toBe(status);
      expect(res.json.errors[0]).toMatchObject({ code, meta: { param_name: 'previous_token_ttl' } });
      expect(emu.currentKey(machine.id)).toBe(machine.secretKey);
      expect(emu.rotationsFor(machine.id)).toHaveLength(0);
    });

    it.each([
      ['invalid JSON', '{"previous_token_ttl":', 'application/json'],
      ['a wrong content type', 'previous_token_ttl=60', 'application/x-www-form-urlencoded'],
      ['an empty body', '', 'application/json'],
      ['a JSON array', '[60]', 'application/json'],
    ])('refuses %s with 400 request_body_invalid', async (_what, rawBody, contentType) => {
      const machine = emu.createMachine();
      const res = await call(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
        key: instanceKey,
        rawBody,
        headers: { 'content-type': contentType },
      });
      expect(res.status).toBe(400);
      expect(res.json.errors[0]?.code).toBe('request_body_invalid');
      expect(emu.currentKey(machine.id)).toBe(machine.secretKey);
    });

    it('answers rotate of an unknown machine with 404 resource_not_found', async () => {
      const res = await call(emu, 'POST', '/machines/mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk/secret_key/rotate', {
        key: instanceKey,
        body: { previous_token_ttl: 60 },
      });
      expect(res.status).toBe(404);
      expect(res.json.errors[0]?.code).toBe('resource_not_found');
      expect(emu.audit.entries()[0]?.machineId).toBe('mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk');
    });
  });

  describe('dashboard rotation and state helpers', () => {
    it('rotateViaDashboard rotates with a ttl, outside the audit log', async () => {
      const machine = emu.createMachine();
      const newKey = emu.rotateViaDashboard(machine.id, { previousTokenTtlSeconds: 10 });
      expect(emu.currentKey(machine.id)).toBe(newKey);
      expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(true);
      clock.advance(10_000);
      expect(emu.isKeyValid(machine.id, machine.secretKey)).toBe(false);
      expect(emu.rotationsFor(machine.id)).toEqual([]);
      expect(emu.rotationHistory(machine.id)).toEqual([
        { machineId: machine.id, at: clock.now() - 10_000, previousTokenTtlSeconds: 10, source: 'dashboard' },
      ]);
      expect(emu.audit.entries()).toEqual([]);
    });

    it('rotateViaDashboard refuses a ttl Clerk would refuse', () => {
      const machine = emu.createMachine();
      expect(() => emu.rotateViaDashboard(machine.id, { previousTokenTtlSeconds: 28_801 })).toThrow(
        /previousTokenTtlSeconds must be an integer between 0 and 28800, got 28801/,
      );
    });

    it('isKeyValid is false for another machine key and helpers throw typed errors for unknown machines', () => {
      const a = emu.createMachine();
      const b = emu.createMachine();
      expect(emu.isKeyValid(a.id, b.secretKey)).toBe(false);
      expect(() => emu.currentKey('mch_missing')).toThrow(UnknownMachineError);
      expect(() => emu.createMachine({ scopedMachineIds: ['mch_missing'] })).toThrow(UnknownMachineError);
    });

    it('createInstance and createMachine accept given keys with the right prefixes only', () => {
      const instance = emu.createInstance({ secretKey: 'sk_test_given' });
      const machine = emu.createMachine({ instanceId: instance.id, secretKey: 'ak_given' });
      expect(instance.secretKey).toBe('sk_test_given');
      expect(emu.currentKey(machine.id)).toBe('ak_given');
      expect(() => emu.createInstance({ secretKey: 'pk_test_x' })).toThrow(InvalidEmulatorOptionError);
      expect(() => emu.createMachine({ secretKey: 'sk_test_x' })).toThrow(InvalidEmulatorOptionError);
      expect(() => emu.createMachine({ secretKey: 'ak_given' })).toThrow(/already in use/);
    });

    it('advance() moves the manual clock and is refused on the system clock', async () => {
      const before = emu.clock.now();
      emu.advance(5000);
      expect(emu.clock.now()).toBe(before + 5000);
      const real = await startClerkEmulator({ rateLimit: false });
      try {
        expect(() => real.advance(1)).toThrow(InvalidEmulatorOptionError);
      } finally {
        await real.close();
      }
    });

    it("clock: 'manual' gives the emulator its own ManualClock", async () => {
      const manual = await startClerkEmulator({ clock: 'manual' });
      try {
        const before = manual.clock.now();
        manual.advance(60_000);
        expect(manual.clock.now()).toBe(before + 60_000);
      } finally {
        await manual.close();
      }
    });
  });

  describe('audit log', () => {
    it('records every call without any key or token value', async () => {
      const machine = emu.createMachine();
      const rotated = await call<SecretKeyBody>(emu, 'POST', `/machines/${machine.id}/secret_key/rotate`, {
        key: instanceKey,
        body: { previous_token_ttl: 60 },
        headers: { 'clerk-api-version': '2026-05-12' },
      });
      await call(emu, 'GET', `/machines/${machine.id}/secret_key`, { key: machine.secretKey });
      await call(emu, 'GET', '/machines', { key: 'sk_test_wrong' });

      const entries = emu.audit.entries();
      expect(entries).toEqual([
        {
          seq: 1,
          at: clock.now(),
          processedAt: clock.now(),
          operation: 'rotateMachineSecretKey',
          method: 'POST',
          path: `/v1/machines/${machine.id}/secret_key/rotate`,
          machineId: machine.id,
          keyKind: 'instance',
          instanceId: emu.defaultInstance.id,
          status: 200,
          outcome: 'ok',
          apiVersionHeader: '2026-05-12',
        },
        expect.objectContaining({ operation: 'getMachineSecretKey', keyKind: 'machine', status: 403 }),
        expect.objectContaining({ operation: 'listMachines', keyKind: 'invalid', status: 401 }),
      ]);
      const dump = JSON.stringify(entries);
      for (const secret of [instanceKey, machine.secretKey, rotated.json.secret, 'sk_test_wrong']) {
        expect(dump).not.toContain(secret);
      }
      expect(emu.audit.count({ outcome: 'error' })).toBe(2);
      emu.audit.clear();
      expect(emu.audit.entries()).toEqual([]);
    });
  });
});
