import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, AuditLog } from '../../localstack/clerk/AuditLog.ts';
import { resolveOperationName, SPEC_OPERATION_IDS } from '../../localstack/clerk/clerkOperations.ts';
import {
  EmulatedClerkError,
  formParamMissing,
  InvalidEmulatorOptionError,
  tooManyRequests,
} from '../../localstack/clerk/errors.ts';
import { MachineKeyRing } from '../../localstack/clerk/MachineKeyRing.ts';
import { signM2MJwt, verifyM2MJwtSignature } from '../../localstack/clerk/m2mJwt.ts';
import { matchRoute } from '../../localstack/clerk/matchRoute.ts';
import { fingerprintSecret, RedactedSecret } from '../../localstack/clerk/RedactedSecret.ts';
import { RateLimiter } from '../../localstack/clerk/rateLimiter.ts';
import { ManualClock } from '../../localstack/common/Clock.ts';
import { createSeededRandom } from '../../localstack/common/seededRandom.ts';

const fp = fingerprintSecret;

describe('Class: MachineKeyRing', () => {
  it('keeps at most the current key and the one it replaced, the latter strictly before its expiry', () => {
    // Property: for any schedule of rotations (ttl 0..28800 s) and clock advances, the current key always
    // authenticates, the key just replaced authenticates exactly while now < rotatedAt + ttl * 1000, and every
    // older key is dead.
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ttl: fc.integer({ min: 0, max: 28_800 }),
            // Either anywhere, or right at the edge of the overlap (ttl * 1000 - 1, exactly, + 1).
            advance: fc.oneof(
              fc.integer({ min: 0, max: 40_000_000 }).map((ms) => ({ ms })),
              fc.integer({ min: -1, max: 1 }).map((edge) => ({ edge })),
            ),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (steps) => {
          let now = 0;
          const keys = ['ak_0'];
          const ring = new MachineKeyRing('ak_0');
          let lastRotation = { at: 0, ttl: 0 };
          steps.forEach(({ ttl, advance }, i) => {
            const advanceMs = 'ms' in advance ? advance.ms : Math.max(0, ttl * 1000 + advance.edge);
            const key = `ak_${i + 1}`;
            ring.rotate(key, ttl, now);
            keys.push(key);
            lastRotation = { at: now, ttl };
            now += advanceMs;
            const standings = keys.map((k) => ring.standing(fp(k), now));
            expect(standings.at(-1)).toBe('current');
            const previousAlive = now < lastRotation.at + lastRotation.ttl * 1000;
            expect(standings.at(-2)).toBe(previousAlive ? 'previous' : undefined);
            expect(standings.slice(0, -2).every((s) => s === undefined)).toBe(true);
          });
        },
      ),
    );
  });

  it('reports the fingerprints a rotation retires: two rotations ago at once, and the replaced key when ttl is 0', () => {
    const ring = new MachineKeyRing('ak_a');
    expect(ring.rotate('ak_b', 60, 0).retiredFingerprints).toEqual([]);
    expect(ring.rotate('ak_c', 0, 1).retiredFingerprints).toEqual([fp('ak_a'), fp('ak_b')]);
    expect(ring.previousKeyExpiresAt(1)).toBeUndefined();
  });
});

describe('Class: RateLimiter', () => {
  it('starts a fresh window once the previous one has ended', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ limit: 1, windowMs: 1500 }, clock);
    expect(limiter.consume('a')).toEqual({ allowed: true });
    expect(limiter.consume('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advance(1499);
    expect(limiter.consume('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(limiter.consume('a')).toEqual({ allowed: true });
    expect(new RateLimiter(false, clock).consume('a')).toEqual({ allowed: true });
  });

  it('refuses a nonsensical configuration, saying what it got', () => {
    expect(() => new RateLimiter({ limit: 1, windowMs: 0 }, new ManualClock(0))).toThrow(
      'rateLimit.windowMs must be a positive number, got 0',
    );
  });
});

describe('Function: createSeededRandom', () => {
  it('replays the same sequence for a seed and stays within [0, 1)', () => {
    const a = createSeededRandom(5);
    const b = createSeededRandom(5);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
  });
});

describe('Function: resolveOperationName', () => {
  it("accepts our names and the spec's operationIds in any case", () => {
    expect(resolveOperationName('RotateMachineSecretKey')).toBe('rotateMachineSecretKey');
    expect(resolveOperationName('getM2MTokens')).toBe('listM2MTokens');
    expect(resolveOperationName('listm2mtokens')).toBe('listM2MTokens');
    expect(SPEC_OPERATION_IDS.listM2MTokens).toBe('getM2MTokens');
  });

  it('throws a typed error for an unknown name', () => {
    expect(() => resolveOperationName('rotate')).toThrow(InvalidEmulatorOptionError);
  });
});

describe('Function: matchRoute', () => {
  it('routes /v1 paths to operations and leaves everything else unmatched', () => {
    expect(matchRoute('POST', '/v1/m2m_tokens/verify')).toEqual({ operation: 'verifyM2MToken', pathId: undefined });
    expect(matchRoute('POST', '/v1/m2m_tokens/mt_1/revoke')).toEqual({ operation: 'revokeM2MToken', pathId: 'mt_1' });
    expect(matchRoute('GET', '/v1/machines/mch_1/secret_key')?.operation).toBe('getMachineSecretKey');
    expect(matchRoute('GET', '/machines')).toBeUndefined();
    expect(matchRoute('PUT', '/v1/machines')).toBeUndefined();
    expect(matchRoute('GET', '/v1/machines/')).toBeUndefined();
  });
});

describe('Class: AuditLog', () => {
  it('counts rotations that took effect, including those whose response was dropped', () => {
    const log = new AuditLog();
    const base: Omit<AuditEntry, 'seq'> = {
      at: 0,
      operation: 'rotateMachineSecretKey',
      method: 'POST',
      path: '/v1/machines/mch_a/secret_key/rotate',
      machineId: 'mch_a',
      keyKind: 'instance',
      status: 200,
      outcome: 'ok',
    };
    log.record(base);
    log.record({ ...base, outcome: 'dropped-after-processing' });
    log.record({ ...base, status: 422, outcome: 'error' });
    log.record({ ...base, status: null, outcome: 'dropped-before-processing' });
    log.record({ ...base, machineId: 'mch_b' });
    expect(log.rotationsFor('mch_a')).toHaveLength(2);
    expect(log.count({ machineId: 'mch_a', outcome: 'error' })).toBe(1);
  });
});

describe('Class: EmulatedClerkError', () => {
  it("renders Clerk's envelope with meta only when present", () => {
    expect(formParamMissing('previous_token_ttl', 422).toEnvelope('trace')).toEqual({
      errors: [
        {
          message: 'missing requested parameter',
          long_message: 'previous_token_ttl must be included.',
          code: 'form_param_missing',
          meta: { param_name: 'previous_token_ttl' },
        },
      ],
      clerk_trace_id: 'trace',
    });
    const limited = tooManyRequests(3);
    expect(limited).toBeInstanceOf(EmulatedClerkError);
    expect(limited.retryAfterSeconds).toBe(3);
    expect(limited.toEnvelope('t').errors[0]).not.toHaveProperty('meta');
  });
});

describe('Class: RedactedSecret', () => {
  it('never prints its value', () => {
    const secret = new RedactedSecret('ak_super_secret');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ secret })).not.toContain('ak_super_secret');
    expect(secret.reveal()).toBe('ak_super_secret');
  });
});

describe('Function: verifyM2MJwtSignature', () => {
  const secret = Buffer.alloc(32, 1);
  const payload = { iss: 'i', sub: 'mch_x', iat: 1, nbf: 1, exp: 2, jti: 'mt_x', job: 'a' };

  it('returns the payload of a token it signed', () => {
    expect(verifyM2MJwtSignature(signM2MJwt(payload, secret, 'kid'), secret)).toEqual(payload);
  });

  it('rejects another secret, a changed payload and non-JWT input', () => {
    const token = signM2MJwt(payload, secret, 'kid');
    const [header, , signature] = token.split('.');
    const changed = `${header}.${Buffer.from(JSON.stringify({ ...payload, sub: 'mch_y' })).toString('base64url')}.${signature}`;
    expect(verifyM2MJwtSignature(token, Buffer.alloc(32, 2))).toBeUndefined();
    expect(verifyM2MJwtSignature(changed, secret)).toBeUndefined();
    expect(verifyM2MJwtSignature('mt_opaque', secret)).toBeUndefined();
  });
});
