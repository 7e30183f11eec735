import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { createJsonLogger, LOG_KEYS } from '../../lib/Logger.ts';
import { Redacted } from '../../lib/Redacted.ts';
import { parseInstanceKeySecret, parseMachineSecret, serializeMachineSecret } from '../../lib/secretFormat.ts';

const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
const KEY = 'ak_0123456789abcdef0123456789abcdef';

describe('Class: Redacted', () => {
  it('never prints its value through toString, JSON, template literals or inspect', () => {
    const secret = new Redacted(KEY);
    const printed = [String(secret), `${secret}`, JSON.stringify({ secret }), inspect({ secret }), inspect(secret)];
    for (const text of printed) expect(text).not.toContain(KEY);
    expect(secret.reveal()).toBe(KEY);
  });

  it('compares values without revealing them', () => {
    expect(new Redacted(KEY).equals(new Redacted(KEY))).toBe(true);
    expect(new Redacted(KEY).equals(new Redacted(`${KEY}x`))).toBe(false);
    expect(new Redacted(KEY).equals(new Redacted(KEY.replace('0', '1')))).toBe(false);
    expect(new Redacted(KEY).equals(undefined)).toBe(false);
  });
});

describe('Function: parseMachineSecret / serializeMachineSecret', () => {
  it('round-trips the known fields and preserves every other field unchanged', () => {
    const raw = JSON.stringify({
      owner: 'team-a',
      machineId: MACHINE,
      secretKey: KEY,
      rotatedAt: '2026-11-30T12:00:00.000Z',
      previousKeyExpiresAt: '2026-11-30T20:00:00.000Z',
      list: [1, { x: null }],
    });
    const parsed = parseMachineSecret(raw, 'test');
    expect(parsed.machineId).toBe(MACHINE);
    expect(parsed.secretKey.reveal()).toBe(KEY);
    expect(parsed.extra).toEqual({ owner: 'team-a', list: [1, { x: null }] });
    expect(JSON.parse(serializeMachineSecret(parsed))).toEqual(JSON.parse(raw));
  });

  it('lets our fields win over same-named extras when serialising', () => {
    const parsed = parseMachineSecret(JSON.stringify({ machineId: MACHINE, secretKey: KEY }), 'test');
    const out = serializeMachineSecret({ ...parsed, extra: { machineId: 'mch_other', secretKey: 'ak_other' } });
    expect(JSON.parse(out)).toEqual({ machineId: MACHINE, secretKey: KEY });
  });

  it('refuses a secret without a SecretString (binary)', () => {
    expect(() => parseMachineSecret(undefined, 'AWSCURRENT of x')).toThrow(/AWSCURRENT of x: has no SecretString/);
  });

  it('treats a previousKeyExpiresAt that is not a timestamp as unknown, and names it', () => {
    const parsed = parseMachineSecret(
      JSON.stringify({ machineId: MACHINE, secretKey: KEY, previousKeyExpiresAt: 5 }),
      't',
    );
    expect(parsed.previousKeyExpiresAt).toBeUndefined();
    expect(parsed.ignoredFields).toEqual(['previousKeyExpiresAt']);
  });

  it('accepts a machine id of 1 to 64 letters and digits after mch_, nothing else', () => {
    const parse = (machineId: string) => () => parseMachineSecret(JSON.stringify({ machineId, secretKey: KEY }), 't');
    expect(parse('mch_a')).not.toThrow();
    expect(parse(`mch_${'a'.repeat(64)}`)).not.toThrow();
    expect(parse(`mch_${'a'.repeat(65)}`)).toThrow(/machineId must match/);
    expect(parse('mch_')).toThrow(/machineId must match/);
    expect(parse('MCH_abc')).toThrow(/machineId must match/);
    expect(parse('mch_abc\n')).toThrow(/got "mch_abc\\n"/);
  });
});

describe('Function: parseInstanceKeySecret', () => {
  it.each([
    ['the key itself', 'sk_test_abc123'],
    ['the key with a trailing newline', 'sk_live_abc123\n'],
    ['JSON', '{"secretKey":"sk_test_abc123"}'],
  ])('accepts %s', (_, value) => {
    expect(parseInstanceKeySecret(value, 'x').reveal()).toMatch(/^sk_(test|live)_abc123$/);
  });

  it.each([
    ['nothing', undefined, /has no SecretString/],
    ['broken JSON', '{"secretKey":', /looks like JSON but does not parse/],
    ['JSON without secretKey', '{"key":"sk_test_a"}', /got nothing/],
    ['a publishable key', 'pk_test_abc', /got a value starting with "pk_test_"/],
    ['a random string', 'hunter2', /got a 7-character value with another prefix/],
  ])('refuses %s with INSTANCE_KEY_INVALID', (_, value, message) => {
    let error: unknown;
    try {
      parseInstanceKeySecret(value, 'instance-key secret x');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: ErrorCode.instanceKeyInvalid });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('Function: createJsonLogger', () => {
  it('writes one JSON object per line with exactly the fixed keys, child fields merged, below-level lines dropped', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ clock: { now: () => 0 }, write: (l) => lines.push(l), level: 'info' });
    logger.debug('hidden');
    logger.child({ step: 'createSecret', machineId: MACHINE }).warn('hello', { outcome: 'x' });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(Object.keys(line)).toEqual([...LOG_KEYS]);
    expect(line).toMatchObject({ time: '1970-01-01T00:00:00.000Z', level: 'warn', step: 'createSecret', outcome: 'x' });
  });

  it('emits metrics in CloudWatch embedded metric format', () => {
    const lines: string[] = [];
    createJsonLogger({ clock: { now: () => 5 }, write: (l) => lines.push(l) }).metric('OverlapExpired', 1);
    const line = JSON.parse(lines[0]!);
    expect(line.OverlapExpired).toBe(1);
    expect(line._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'OverlapExpired', Unit: 'Count' }]);
  });
});
