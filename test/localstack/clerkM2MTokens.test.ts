import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClerkEmulator,
  type EmulatedMachine,
  ManualClock,
  startClerkEmulator,
} from '../../localstack/clerk/index.ts';

interface TokenBody {
  object: string;
  id: string;
  subject: string;
  claims: unknown;
  scopes: string[];
  token?: string;
  revoked: boolean;
  revocation_reason: string | null;
  expired: boolean;
  expiration: number | null;
  last_used_at: number | null;
  created_at: number;
  updated_at: number;
}
interface ListBody {
  m2m_tokens: TokenBody[];
  total_count: number;
}
interface ErrorBody {
  errors: { code: string; meta?: { param_name?: string } }[];
}

const call = async <T>(
  emu: ClerkEmulator,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: T }> => {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
};

describe('M2M tokens', () => {
  let emu: ClerkEmulator;
  let clock: ManualClock;
  let instanceKey: string;
  let caller: EmulatedMachine;
  let receiver: EmulatedMachine;
  let stranger: EmulatedMachine;

  const create = (body: unknown, key = caller.secretKey) => call<TokenBody>(emu, 'POST', '/m2m_tokens', key, body);
  const verify = (token: string, key = instanceKey) =>
    call<TokenBody>(emu, 'POST', '/m2m_tokens/verify', key, { token });
  const list = (query: string, key = instanceKey) => call<ListBody>(emu, 'GET', `/m2m_tokens?${query}`, key);
  const revoke = (id: string, key = instanceKey, body: unknown = {}) =>
    call<TokenBody>(emu, 'POST', `/m2m_tokens/${id}/revoke`, key, body);

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 4, 12, 10));
    emu = await startClerkEmulator({ clock, rateLimit: false });
    instanceKey = emu.defaultInstance.secretKey;
    receiver = emu.createMachine({ name: 'receiver' });
    caller = emu.createMachine({ name: 'caller', scopedMachineIds: [receiver.id], defaultTokenTtlSeconds: 600 });
    stranger = emu.createMachine({ name: 'stranger' });
  });

  afterEach(async () => {
    await emu.close();
  });

  describe('POST /m2m_tokens', () => {
    it('creates an opaque token (201) with the spec shape, scopes from the machine and its default ttl', async () => {
      const res = await create({ claims: { job: 'nightly' } });
      expect(res.status).toBe(201);
      expect(res.json).toEqual({
        object: 'machine_to_machine_token',
        id: expect.stringMatching(/^mt_[0-9a-f]{32}$/),
        subject: caller.id,
        claims: { job: 'nightly' },
        scopes: [receiver.id],
        token: expect.stringMatching(/^mt_[0-9A-Za-z]{32}$/),
        revoked: false,
        revocation_reason: null,
        expired: false,
        expiration: clock.now() + 600_000,
        last_used_at: null,
        created_at: clock.now(),
        updated_at: clock.now(),
      });
      expect(res.json.token).not.toBe(res.json.id);
    });

    it('honours seconds_until_expiration, and reads null as not provided', async () => {
      const explicit = await create({ seconds_until_expiration: 1.5 });
      const nulled = await create({ seconds_until_expiration: null });
      expect(explicit.json.expiration).toBe(clock.now() + 1500);
      expect(nulled.json.expiration).toBe(clock.now() + 600_000);
    });

    it('creates a JWT that verify accepts with the same id, subject, claims and timestamps', async () => {
      clock.advance(250);
      const created = await create({ token_format: 'jwt', claims: { job: 'nightly' }, seconds_until_expiration: 60 });
      expect(created.status).toBe(201);
      expect(created.json.token?.split('.')).toHaveLength(3);
      expect(created.json.created_at % 1000).toBe(0);
      const verified = await verify(created.json.token ?? '');
      expect(verified.status).toBe(200);
      const { token: _token, ...withoutToken } = created.json;
      expect(verified.json).toEqual(withoutToken);
      const payload = JSON.parse(Buffer.from(created.json.token?.split('.')[1] ?? '', 'base64url').toString()) as {
        sub: string;
        jti: string;
        job: string;
      };
      expect(payload).toMatchObject({ sub: caller.id, jti: created.json.id, job: 'nightly' });
    });

    it('reuses a live opaque token when min_remaining_ttl_seconds allows it', async () => {
      const first = await create({ claims: { a: 1 }, min_remaining_ttl_seconds: 100 });
      clock.advance(60_000);
      const reused = await create({ claims: { a: 1 }, min_remaining_ttl_seconds: 100 });
      const differentClaims = await create({ claims: { a: 2 }, min_remaining_ttl_seconds: 100 });
      clock.advance(460_000);
      const tooOld = await create({ claims: { a: 1 }, min_remaining_ttl_seconds: 100 });
      expect(reused.json.id).toBe(first.json.id);
      expect(reused.json.token).toBe(first.json.token);
      expect(differentClaims.json.id).not.toBe(first.json.id);
      expect(tooOld.json.id).not.toBe(first.json.id);
    });

    it.each([
      [{ token_format: 'paseto' }, 'form_param_value_invalid', 'token_format'],
      [{ seconds_until_expiration: 0 }, 'form_param_value_invalid', 'seconds_until_expiration'],
      [{ min_remaining_ttl_seconds: 600 }, 'form_param_value_invalid', 'min_remaining_ttl_seconds'],
      [{ min_remaining_ttl_seconds: 1.5 }, 'form_param_value_invalid', 'min_remaining_ttl_seconds'],
      [{ token_format: 'jwt', claims: 'text' }, 'form_param_value_invalid', 'claims'],
      [{ token_format: 'jwt', claims: { sub: 'x' } }, 'form_param_value_invalid', 'claims'],
      [{ scopes: [] }, 'form_param_unknown', 'scopes'],
    ])('refuses %j with 400 %s', async (body, code, param) => {
      const res = await call<ErrorBody>(emu, 'POST', '/m2m_tokens', caller.secretKey, body);
      expect(res.status).toBe(400);
      expect(res.json.errors[0]).toMatchObject({ code, meta: { param_name: param } });
    });

    it('works with the previous key during its overlap, and not after', async () => {
      emu.rotateViaDashboard(caller.id, { previousTokenTtlSeconds: 5 });
      expect((await create({})).status).toBe(201);
      clock.advance(5000);
      expect((await create({})).status).toBe(401);
    });
  });

  describe('GET /m2m_tokens', () => {
    it("lists a machine's opaque tokens newest first, paginated, with either key", async () => {
      const a = await create({});
      clock.advance(1);
      const b = await create({});
      await create({ token_format: 'jwt' });
      const byInstance = await list(`subject=${caller.id}`);
      const byMachine = await list(`subject=${caller.id}&limit=1&offset=1`, caller.secretKey);
      expect(byInstance.status).toBe(200);
      expect(byInstance.json.total_count).toBe(2);
      expect(byInstance.json.m2m_tokens.map((t) => t.id)).toEqual([b.json.id, a.json.id]);
      expect(byInstance.json.m2m_tokens[0]).not.toHaveProperty('token');
      expect(byMachine.json.m2m_tokens.map((t) => t.id)).toEqual([a.json.id]);
      expect(emu.audit.entries({ operation: 'listM2MTokens' }).map((e) => e.machineId)).toEqual([caller.id, caller.id]);
    });

    it('includes revoked and expired tokens only when asked', async () => {
      const revoked = await create({});
      const expiring = await create({ seconds_until_expiration: 1 });
      const live = await create({});
      await revoke(revoked.json.id);
      clock.advance(1000);
      const ids = async (query: string) =>
        (await list(`subject=${caller.id}&${query}`)).json.m2m_tokens.map((t) => t.id);
      expect(await ids('')).toEqual([live.json.id]);
      expect(new Set(await ids('revoked=true'))).toEqual(new Set([live.json.id, revoked.json.id]));
      expect(new Set(await ids('expired=true'))).toEqual(new Set([live.json.id, expiring.json.id]));
      const expired = (await list(`subject=${caller.id}&expired=true`)).json.m2m_tokens.find(
        (t) => t.id === expiring.json.id,
      );
      expect(expired?.expired).toBe(true);
    });

    it("answers 403 when a machine key lists another machine's tokens", async () => {
      const res = await list(`subject=${receiver.id}`, caller.secretKey);
      expect(res.status).toBe(403);
      expect((res.json as unknown as ErrorBody).errors[0]?.code).toBe('authorization_invalid');
    });

    it.each([
      ['', 'form_param_missing', 'subject'],
      ['subject=user_123', 'form_param_value_invalid', 'subject'],
      ['limit=0', 'form_param_value_invalid', 'limit'],
      ['limit=101', 'form_param_value_invalid', 'limit'],
      ['limit=ten', 'form_param_value_invalid', 'limit'],
      ['offset=-1', 'form_param_value_invalid', 'offset'],
      ['revoked=yes', 'form_param_value_invalid', 'revoked'],
    ])('refuses query %j with 400 %s', async (query, code, param) => {
      const subject = query.startsWith('subject') || query === '' ? '' : `subject=${caller.id}&`;
      const res = await call<ErrorBody>(emu, 'GET', `/m2m_tokens?${subject}${query}`, instanceKey);
      expect(res.status).toBe(400);
      expect(res.json.errors[0]).toMatchObject({ code, meta: { param_name: param } });
    });

    it('answers 404 for a subject that is not a machine of the instance', async () => {
      const res = await list('subject=mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk');
      expect(res.status).toBe(404);
    });
  });

  describe('POST /m2m_tokens/verify', () => {
    it('verifies with the instance key, with the subject machine and with a machine in its scopes; sets last_used_at', async () => {
      const created = await create({});
      clock.advance(2000);
      const token = created.json.token ?? '';
      const byInstance = await verify(token);
      const byReceiver = await verify(token, receiver.secretKey);
      const bySubject = await verify(token, caller.secretKey);
      expect([byInstance.status, byReceiver.status, bySubject.status]).toEqual([200, 200, 200]);
      expect(byInstance.json).not.toHaveProperty('token');
      expect(byInstance.json.last_used_at).toBe(clock.now());
      expect(byInstance.json.updated_at).toBe(clock.now());
    });

    it('answers 404 to a machine outside the scopes, for unknown, revoked and expired tokens, and for a forged JWT', async () => {
      const created = await create({ seconds_until_expiration: 10 });
      const jwt = await create({ token_format: 'jwt' });
      const [header, payload] = (jwt.json.token ?? '').split('.');
      const forged = `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`;
      expect((await verify(created.json.token ?? '', stranger.secretKey)).status).toBe(404);
      expect((await verify(jwt.json.token ?? '', stranger.secretKey)).status).toBe(404);
      expect((await verify('mt_doesnotexist')).status).toBe(404);
      expect((await verify(forged)).status).toBe(404);
      clock.advance(10_000);
      expect((await verify(created.json.token ?? '')).status).toBe(404);
      const other = await create({});
      await revoke(other.json.id);
      const revoked = await call<ErrorBody>(emu, 'POST', '/m2m_tokens/verify', instanceKey, {
        token: other.json.token,
      });
      expect(revoked.status).toBe(404);
      expect(revoked.json.errors[0]?.code).toBe('resource_not_found');
    });

    it("answers 404 to another instance's key", async () => {
      const created = await create({});
      const otherInstance = emu.createInstance();
      expect((await verify(created.json.token ?? '', otherInstance.secretKey)).status).toBe(404);
    });

    it.each([
      [{}, 'form_param_missing'],
      [{ token: 5 }, 'form_param_value_invalid'],
      [{ token: 'x', extra: 1 }, 'form_param_unknown'],
    ])('refuses body %j with 400 %s', async (body, code) => {
      const res = await call<ErrorBody>(emu, 'POST', '/m2m_tokens/verify', instanceKey, body);
      expect(res.status).toBe(400);
      expect(res.json.errors[0]?.code).toBe(code);
    });
  });

  describe('POST /m2m_tokens/{id}/revoke', () => {
    it('revokes with a reason, keeps the first revocation on a repeat', async () => {
      const created = await create({});
      clock.advance(1000);
      const first = await revoke(created.json.id, caller.secretKey, { revocation_reason: 'rotated' });
      clock.advance(1000);
      const again = await revoke(created.json.id, instanceKey, { revocation_reason: 'other' });
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ revoked: true, revocation_reason: 'rotated', updated_at: clock.now() - 1000 });
      expect(first.json).not.toHaveProperty('token');
      expect(again.json).toMatchObject({ revoked: true, revocation_reason: 'rotated' });
    });

    it("answers 404 for another machine's token, a JWT id and an unknown id; 400 for a malformed id", async () => {
      const created = await create({});
      const jwt = await create({ token_format: 'jwt' });
      expect((await revoke(created.json.id, receiver.secretKey)).status).toBe(404);
      expect((await revoke(jwt.json.id)).status).toBe(404);
      expect((await revoke('mt_00000000000000000000000000000000')).status).toBe(404);
      const malformed = await call<ErrorBody>(emu, 'POST', '/m2m_tokens/not-a-token/revoke', instanceKey, {});
      expect(malformed.status).toBe(400);
      expect(malformed.json.errors[0]?.meta?.param_name).toBe('m2m_token_id');
      const badReason = await call<ErrorBody>(emu, 'POST', `/m2m_tokens/${created.json.id}/revoke`, instanceKey, {
        revocation_reason: 5,
      });
      expect(badReason.status).toBe(400);
    });
  });

  it('deleting a machine removes its tokens and invalidates its keys', async () => {
    const created = await create({});
    emu.deleteMachine(caller.id);
    expect((await verify(created.json.token ?? '')).status).toBe(404);
    expect((await create({})).status).toBe(401);
  });
});
