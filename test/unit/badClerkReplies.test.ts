import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../support/fakeClerkFetch.ts';
import { PAST_HORIZON_SECONDS, RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

/** Clerk answering nonsense to the first read of createSecret: a typed error, nothing stored, nothing rotated. */
describe('Function: createSecret — bad replies from Clerk change nothing', () => {
  const tenMegabytes = ' '.repeat(10 * 1024 * 1024);
  const cases: [string, Fault, RegExp][] = [
    [
      'an HTML page',
      { kind: 'raw', status: 200, body: '<html>oops</html>', contentType: 'text/html' },
      /content-type text\/html/,
    ],
    ['an empty body', { kind: 'raw', status: 200, body: '', contentType: 'application/json' }, /expected a JSON body/],
    [
      '200 without secret',
      { kind: 'raw', status: 200, body: '{"object":"machine_secret_key"}', contentType: 'application/json' },
      /expected \{"object": "machine_secret_key"/,
    ],
    [
      'a secret without ak_',
      {
        kind: 'raw',
        status: 200,
        body: '{"object":"machine_secret_key","secret":"sk_test_x"}',
        contentType: 'application/json',
      },
      /does not start with "ak_"/,
    ],
    [
      'a wrong content type',
      { kind: 'raw', status: 200, body: '{"object":"machine_secret_key","secret":"ak_x"}', contentType: 'text/plain' },
      /content-type text\/plain/,
    ],
    [
      'a 10 MB body',
      { kind: 'raw', status: 200, body: tenMegabytes, contentType: 'application/json' },
      /larger than 262144 bytes/,
    ],
    [
      'a 502 HTML page from a proxy',
      { kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' },
      /server error \(HTTP 502\)/,
    ],
    [
      'a 404 for the machine',
      { kind: 'status', status: 404, code: 'resource_not_found' },
      /no such machine .*resource_not_found/,
    ],
    [
      'a 401 for the instance key',
      { kind: 'status', status: 401, code: 'clerk_key_invalid' },
      /the key was not accepted: clerk_key_invalid/,
    ],
  ];
  it.each(cases)('%s', async (_, fault, message) => {
    harness = new RotationHarness();
    // Reads are retried; give every attempt the same bad reply.
    harness.clerk.inject('GetMachineSecretKey', fault, fault, fault, fault);
    const token = harness.startRotation();
    const before = harness.sm.snapshot();
    const error = (await harness.step('createSecret', token).catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toMatch(/^CLERK_/);
    expect(error.message).toMatch(message);
    expect(harness.sm.snapshot()).toBe(before);
    expect(harness.clerk.rotations()).toBe(0);
    expect(harness.parsedLogs().at(-1)).toMatchObject({ level: 'error', outcome: 'failed', errorCode: error.code });
  });

  it('an unreadable reply to a rotate is ambiguous: Clerk is read again, and the first attempt past the horizon rotates once', async () => {
    harness = new RotationHarness();
    harness.clerk.inject('RotateMachineSecretKey', {
      kind: 'raw',
      status: 200,
      body: '<html/>',
      contentType: 'text/html',
    });
    const { failures } = await harness.rotate({ attempts: 2, waitSeconds: PAST_HORIZON_SECONDS });
    expect(failures.map((e) => (e as { code?: string }).code)).toEqual(['ROTATE_OUTCOME_UNKNOWN']);
    expect(harness.clerk.calls.map((c) => c.operation).slice(0, 5)).toEqual([
      'GetMachineSecretKey',
      'RotateMachineSecretKey',
      'GetMachineSecretKey',
      'GetMachineSecretKey',
      'RotateMachineSecretKey',
    ]);
    // One key minted at Clerk beyond the machine's first (the injected reply processed nothing).
    expect(harness.clerk.issuedKeys).toHaveLength(2);
    expect(harness.currentValue().secretKey).toBe(harness.clerk.issuedKeys[1]);
  });
});

describe('Function: a hostile Clerk error body reaches the logs as data', () => {
  it('strips control characters from its code and trace id and keeps the log line short', async () => {
    harness = new RotationHarness();
    const body = JSON.stringify({
      errors: [{ code: `\u001b[2K\rok\u0007${'c'.repeat(6_000)}`, message: 'x' }],
      clerk_trace_id: `\u001b]8;;https://evil.example/\u0007${'t'.repeat(5_000)}`,
    });
    harness.clerk.inject('GetMachineSecretKey', { kind: 'raw', status: 400, body, contentType: 'application/json' });
    const { failures } = await harness.rotate();
    expect(failures[0]).toMatchObject({ code: 'CLERK_BAD_REQUEST' });
    const errorLine = harness.logs.find((line) => line.includes('"level":"error"')) ?? '';
    expect(errorLine.length).toBeLessThan(1_000);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(JSON.parse(errorLine).message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
