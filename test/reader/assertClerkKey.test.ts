import { inspect } from 'node:util';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ErrorCode, SecretFormatError } from '../../lib/errors.ts';
import { Redacted } from '../../lib/Redacted.ts';
import { createM2MToken } from '../../lib/reader/createM2MToken.ts';
import type { MachineKey } from '../../lib/reader/MachineKeyProvider.ts';
import { verifyM2MToken } from '../../lib/reader/verifyM2MToken.ts';
import {
  createReaderFixture,
  json,
  MACHINE_ID,
  newMachineKey,
  SECRET_NAME,
  tokenWire,
  withClerkEmulator,
} from '../support/readerFixtures.ts';

/** Everything an error shows to whoever prints, logs or serialises it, its causes included. */
function everythingShown(error: unknown): string[] {
  const shown = [inspect(error, { depth: 10, showHidden: true })];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    shown.push(String(current), current.stack ?? '', JSON.stringify(current, Object.getOwnPropertyNames(current)));
    current = current.cause;
  }
  return shown;
}

/** A provider that hands out whatever key it is given, as an application's own provider might. */
const fixedProvider = (secretKey: string) => {
  const key: MachineKey = { machineId: MACHINE_ID, secretKey: new Redacted(secretKey), versionId: 'v1' };
  return { secretId: SECRET_NAME, get: async () => key, refresh: async () => key };
};

function setup() {
  const fixture = createReaderFixture();
  const clerk = fixture.clerk((request) =>
    json(request.url.endsWith('/verify') ? 200 : 201, tokenWire({ token: 'mt_0123456789abcdef' })),
  );
  return { ...fixture, ...clerk };
}

describe('Function: assertClerkKey and the bearer-token checks of createM2MToken and verifyM2MToken', () => {
  it('refuses an instance key handed out as the machine key, before sending it', async () => {
    // Prepare
    const { transport, requests } = setup();
    const instanceKey = 'sk_live_0123456789abcdefghijklmn';

    // Act
    const thrown = await createM2MToken({ provider: fixedProvider(instanceKey), ...transport }).catch((e) => e);

    // Assess
    expect(thrown).toBeInstanceOf(SecretFormatError);
    expect(thrown).toMatchObject({ code: ErrorCode.secretFormatInvalid });
    expect((thrown as Error).message).toMatch(
      /^createM2MToken: version v1 of prod\/clerk\/machines\/billing: secretKey/,
    );
    expect(requests).toHaveLength(0);
    for (const text of everythingShown(thrown)) expect(text).not.toContain(instanceKey);
  });

  it.each([
    ['a line break', 'mt_0123456789abcdef\r\nX-Injected: 1'],
    ['a NUL', 'mt_0123456789abcdef\u0000'],
    ['a space', 'mt_0123 456789abcdef'],
    ['a non-ASCII letter', 'mt_0123456789abcdé'],
    ['more than 16384 characters', `mt_${'a'.repeat(16_382)}`],
  ])('refuses a created token with %s: SECRET_FORMAT_INVALID, the value nowhere', async (_name, token) => {
    // Prepare
    const { sm, answer, provider, clerk, transport } = setup();
    sm.mock.on(GetSecretValueCommand).resolves(answer('v1', newMachineKey()));
    const minting = clerk(() => json(201, tokenWire({ token })));

    // Act
    const thrown = await createM2MToken({ provider: provider(), ...transport, fetch: minting.transport.fetch }).catch(
      (e) => e,
    );

    // Assess
    expect(minting.requests).toHaveLength(1);
    expect(thrown).toBeInstanceOf(SecretFormatError);
    expect(thrown).toMatchObject({ code: ErrorCode.secretFormatInvalid });
    expect((thrown as Error).message).toMatch(/the created token \(\d+ characters\) is not a bearer token/);
    for (const text of everythingShown(thrown)) expect(text).not.toContain(token.slice(0, 19));
  });

  it.each([
    ['a line break', 'mt_0123456789abcdef\r\n'],
    ['a space', 'mt_0123 456789abcdef'],
    ['a quote', 'mt_0123456789"abcdef'],
  ])('answers a presented token with %s as invalid, without asking Clerk or reading the key', async (_n, token) => {
    // Prepare
    const { sm, provider, transport, requests } = setup();

    // Act
    const byProvider = await verifyM2MToken({ provider: provider(), ...transport, token });
    const byFixedKey = await verifyM2MToken({
      secretKey: new Redacted('sk_test_0123456789abcdef'),
      ...transport,
      token,
    });

    // Assess
    expect(byProvider).toEqual({ valid: false, reason: 'invalid' });
    expect(byFixedKey).toEqual({ valid: false, reason: 'invalid' });
    expect(requests).toHaveLength(0);
    expect(sm.getCalls()).toHaveLength(0);
  });

  it('accepts opaque and JWT-format tokens', async () => {
    // Prepare
    const { provider, transport, requests, sm, answer } = setup();
    sm.mock.on(GetSecretValueCommand).resolves(answer('v1', newMachineKey()));
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtY2hfMSJ9.c2lnbmF0dXJl-_';

    // Act
    const results = await Promise.all(
      ['mt_0123456789abcdef', jwt].map((token) => verifyM2MToken({ provider: provider(), ...transport, token })),
    );

    // Assess
    expect(results.map((result) => result.valid)).toEqual([true, true]);
    expect(requests.map((request) => request.body)).toEqual([{ token: 'mt_0123456789abcdef' }, { token: jwt }]);
  });
});

describe('Function: assertClerkKey (key characters, through the global fetch)', () => {
  const machineKey = 'ak_0123456789abcdef0123456789abcdef';
  const instanceKey = 'sk_test_0123456789abcdef0123';

  it.each([`${machineKey}\r\nX-Injected: 1`, `${machineKey}\u0000`, `${machineKey}\n`, `${machineKey} `])(
    'refuses the machine key %j unsent: SECRET_FORMAT_INVALID, never a network error, the key nowhere',
    (key) =>
      withClerkEmulator(async (emulator) => {
        // Prepare
        const env = { CLERK_API_URL: emulator.url };

        // Act
        const created = await createM2MToken({ provider: fixedProvider(key), env }).catch((e) => e);
        const verified = await verifyM2MToken({ provider: fixedProvider(key), env, token: 'mt_0123' }).catch((e) => e);

        // Assess
        for (const thrown of [created, verified]) {
          expect(thrown).toBeInstanceOf(SecretFormatError);
          expect(thrown).toMatchObject({ code: ErrorCode.secretFormatInvalid });
          for (const text of everythingShown(thrown)) {
            expect(text).not.toContain('0123456789abcdef0123456789abcdef');
            expect(text).not.toContain('Bearer');
          }
        }
        expect(emulator.audit.count()).toBe(0);
      }),
  );

  it('refuses a stored machine key with a line break where the secret is parsed', async () => {
    // Prepare
    const { sm, answer, provider } = createReaderFixture();
    sm.mock.on(GetSecretValueCommand).resolves(answer('v1', `${machineKey}\r\nX: 1`));

    // Act
    const thrown = await provider()
      .get()
      .catch((e) => e);

    // Assess
    expect(thrown).toBeInstanceOf(SecretFormatError);
    for (const text of everythingShown(thrown)) expect(text).not.toContain('0123456789abcdef0123456789abcdef');
  });

  // Leading and trailing whitespace of an instance key is trimmed by its parser (a pasted newline); inside, refused.
  it.each([`${instanceKey}\r\nX-Injected: 1`, `${instanceKey}\u0000`, 'sk_test_0123 456789abcdef0123'])(
    'refuses the fixed key %j unsent: INSTANCE_KEY_INVALID',
    async (key) => {
      // Prepare
      const { transport, requests } = setup();

      // Act
      const thrown = await verifyM2MToken({ secretKey: new Redacted(key), ...transport, token: 'mt_0123' }).catch(
        (e) => e,
      );

      // Assess
      expect(thrown).toBeInstanceOf(SecretFormatError);
      expect(thrown).toMatchObject({ code: ErrorCode.instanceKeyInvalid });
      expect(requests).toHaveLength(0);
      for (const text of everythingShown(thrown)) expect(text).not.toMatch(/0123 ?456789abcdef0123/);
    },
  );
});
