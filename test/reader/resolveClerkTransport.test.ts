import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { createM2MToken } from '../../lib/reader/createM2MToken.ts';
import { verifyM2MToken } from '../../lib/reader/verifyM2MToken.ts';
import type { ClerkEmulator } from '../../localstack/clerk/index.ts';
import { createReaderFixture, json, newMachineKey, tokenWire, withClerkEmulator } from '../support/readerFixtures.ts';

const ENV_URL = 'https://env.clerk.test/v1';
const OPTION_URL = 'https://option.clerk.test/v1';

/** A provider over a secret holding a fresh key, and a fake Clerk that mints and verifies. */
function setup() {
  const fixture = createReaderFixture();
  fixture.sm.mock.on(GetSecretValueCommand).resolves(fixture.answer('v1', newMachineKey()));
  const clerk = fixture.clerk((request) => json(request.url.endsWith('/verify') ? 200 : 201, tokenWire()));
  const { fetch, clock, sleep, retry } = clerk.transport;
  const withoutUrl = { fetch, clock, sleep, retry };
  return { ...fixture, provider: fixture.provider(), requests: clerk.requests, withoutUrl };
}

describe('Function: resolveClerkTransport (through createM2MToken and verifyM2MToken)', () => {
  it.each([
    ['the apiUrl option over CLERK_API_URL', { apiUrl: OPTION_URL, env: { CLERK_API_URL: ENV_URL } }, OPTION_URL],
    ['CLERK_API_URL when there is no option', { env: { CLERK_API_URL: ENV_URL } }, ENV_URL],
    ['CLERK_API_URL when the option is blank', { apiUrl: ' ', env: { CLERK_API_URL: ` ${ENV_URL} ` } }, ENV_URL],
    ["Clerk's API when neither is set", { env: {} }, 'https://api.clerk.com/v1'],
    ["Clerk's API when CLERK_API_URL is blank", { env: { CLERK_API_URL: '' } }, 'https://api.clerk.com/v1'],
  ])('sends to %s', async (_name, urls, expected) => {
    // Prepare
    const { provider, requests, withoutUrl } = setup();

    // Act
    await createM2MToken({ provider, ...withoutUrl, ...urls });
    await verifyM2MToken({ provider, ...withoutUrl, ...urls, token: 'mt_0123456789abcdef' });

    // Assess
    expect(requests.map((request) => request.url)).toEqual([`${expected}/m2m_tokens`, `${expected}/m2m_tokens/verify`]);
  });

  it('refuses a CLERK_API_URL that is not https (or loopback http) before reading the key or sending', async () => {
    // Prepare
    const { sm, provider, requests, withoutUrl } = setup();
    const env = { CLERK_API_URL: 'http://clerk.example.com/v1' };

    // Act
    const created = await createM2MToken({ provider, ...withoutUrl, env }).catch((e: unknown) => e);
    const verified = await verifyM2MToken({ provider, ...withoutUrl, env, token: 'mt_0123' }).catch((e: unknown) => e);

    // Assess
    for (const thrown of [created, verified]) {
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).setting).toBe('CLERK_API_URL');
      expect((thrown as Error).message).toMatch(
        /^CLERK_API_URL: must be an https URL .*got "http:\/\/clerk.example.com"/,
      );
    }
    expect(requests).toHaveLength(0);
    expect(sm.getCalls()).toHaveLength(0);
  });
});

/** A provider over a secret holding a new emulated machine's key. */
function machineSetup(emulator: ClerkEmulator) {
  const machine = emulator.createMachine({ name: 'reader-test' });
  const fixture = createReaderFixture();
  fixture.sm.mock.on(GetSecretValueCommand).resolves({
    ...fixture.answer('v1', machine.secretKey),
    SecretString: JSON.stringify({ machineId: machine.id, secretKey: machine.secretKey }),
  });
  return { machine, provider: fixture.provider() };
}

describe('Function: resolveClerkTransport (the global fetch, against the Clerk emulator)', () => {
  it('mints and verifies with no fetch option, Clerk found through the env option', async () => {
    await withClerkEmulator(async (emulator) => {
      // Prepare
      const { machine, provider } = machineSetup(emulator);
      const env = { CLERK_API_URL: emulator.url };

      // Act
      const token = await createM2MToken({ provider, env, secondsUntilExpiration: 60 });
      const verification = await verifyM2MToken({ provider, env, token: token.token });

      // Assess
      expect(token.subject).toBe(machine.id);
      expect(verification).toMatchObject({ valid: true, token: { id: token.id, subject: machine.id } });
    });
  });

  it('reads CLERK_API_URL from process.env by default', async () => {
    await withClerkEmulator(async (emulator) => {
      // Prepare
      const { machine, provider } = machineSetup(emulator);
      vi.stubEnv('CLERK_API_URL', emulator.url);

      // Act
      const token = await createM2MToken({ provider }).finally(() => vi.unstubAllEnvs());

      // Assess
      expect(token.subject).toBe(machine.id);
    });
  });
});
