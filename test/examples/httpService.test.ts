import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../examples/http-service/server.ts';
import { createMachineKeyProvider } from '../../lib/reader/createMachineKeyProvider.ts';
import {
  captureLogger,
  clerkError,
  expectNoKeyLeak,
  json,
  MACHINE_ID,
  newMachineKey,
  newSecretsManagerMock,
  type RecordedRequest,
  recordingFetch,
  SECRET_ARN,
  SECRET_NAME,
  secretString,
  TestClock,
  tokenWire,
} from '../support/readerFixtures.ts';

const API = 'https://api.clerk.test/v1';
const PRESENTED = 'mt_0123456789abcdef0123456789abcdef';

describe('Example: http-service', () => {
  let sm: ReturnType<typeof newSecretsManagerMock>;
  let log: ReturnType<typeof captureLogger>;
  let service: RunningService | undefined;
  const key = newMachineKey();

  const start = async (clerk: (request: RecordedRequest) => Response | Promise<Response>) => {
    const { fetch: clerkFetch, requests } = recordingFetch(clerk);
    // Clerk is faked; calls to the service itself go over real HTTP.
    const fetch = ((input: string | URL | Request, init?: RequestInit) =>
      String(input).startsWith(API)
        ? clerkFetch(input, init)
        : globalThis.fetch(input, init)) as typeof globalThis.fetch;
    const clock = new TestClock();
    const provider = createMachineKeyProvider({ secretId: SECRET_NAME, client: sm.client, clock, logger: log.logger });
    service = await startService({
      provider,
      fetch,
      apiUrl: API,
      logger: log.logger,
      clock: { now: () => Date.now() },
    });
    return { url: service.url, requests };
  };

  beforeEach(() => {
    sm = newSecretsManagerMock();
    log = captureLogger({ now: () => Date.now() });
    sm.mock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, VersionId: 'v1', SecretString: secretString(key) });
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('GET /whoami verifies the bearer token at Clerk with the machine key', async () => {
    // Prepare
    const { url, requests } = await start(() => json(200, tokenWire({ token: undefined })));

    // Act
    const response = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${PRESENTED}` } });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: MACHINE_ID, scopes: [] });
    expect(requests[0]).toMatchObject({ body: { token: PRESENTED }, headers: { authorization: `Bearer ${key}` } });
  });

  it.each([
    ['no token', undefined, () => json(200, tokenWire()), 'missing_bearer_token'],
    ['an unknown token', `Bearer ${PRESENTED}`, () => clerkError(404, 'resource_not_found'), 'not_found'],
  ])('GET /whoami answers 401 for %s', async (_name, authorization, clerk, error) => {
    // Prepare
    const { url } = await start(clerk);

    // Act
    const response = await fetch(`${url}/whoami`, { headers: authorization ? { authorization } : {} });

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error });
  });

  it('answers 503, not 401, when its own key or Clerk is the problem, and logs without secrets', async () => {
    // Prepare
    const { url } = await start(() => clerkError(403, 'authorization_invalid'));

    // Act
    const response = await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${PRESENTED}` } });

    // Assess
    expect(response.status).toBe(503);
    expect(log.lines.map((l) => JSON.parse(l)).find((l) => l.level === 'error')).toMatchObject({
      errorCode: 'CLERK_FORBIDDEN',
    });
    expectNoKeyLeak(log.lines, [key, PRESENTED]);
  });

  it('POST /call mints a token and calls its own /whoami with it', async () => {
    // Prepare
    const wire = tokenWire();
    const { url, requests } = await start((request) =>
      request.url.endsWith('/verify') ? json(200, tokenWire({ token: undefined })) : json(201, wire),
    );

    // Act
    const response = await fetch(`${url}/call`, { method: 'POST' });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ downstreamStatus: 200, machineKeyVersionId: 'v1' });
    expect(requests.map((r) => r.url)).toEqual([`${API}/m2m_tokens`, `${API}/m2m_tokens/verify`]);
    expect(requests[1]?.body).toEqual({ token: wire.token });
  });

  it('GET /healthz reads the key; unknown routes are 404', async () => {
    // Prepare
    const { url } = await start(() => json(200, {}));

    // Act
    const health = await fetch(`${url}/healthz`);
    const missing = await fetch(`${url}/nope`);

    // Assess
    expect(await health.json()).toEqual({ ok: true, machineId: MACHINE_ID, machineKeyVersionId: 'v1' });
    expect(missing.status).toBe(404);
  });
});
