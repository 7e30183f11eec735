import { randomBytes } from 'node:crypto';
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import { createJsonLogger, type Logger } from '../../lib/Logger.ts';
import { createMachineKeyProvider } from '../../lib/reader/createMachineKeyProvider.ts';
import type { MachineKeyProvider } from '../../lib/reader/MachineKeyProvider.ts';
import type { MachineKeyProviderOptions } from '../../lib/reader/MachineKeyProviderOptions.ts';
import { type ClerkEmulator, startClerkEmulator } from '../../localstack/clerk/index.ts';

import { newMachineKey } from './fakeClerkFetch.ts';

export { newMachineKey };

/**
 * What the reader's tests, and the examples' tests, build on: a Secrets Manager client behind aws-sdk-client-mock,
 * a clock the test moves, a logger whose lines are kept, fake Clerk replies, and createReaderFixture() to get all of
 * them fresh for one test.
 */

export const MACHINE_ID = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
export const SECRET_NAME = 'prod/clerk/machines/billing';
export const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_NAME}-AbCdEf`;
export const T0 = Date.parse('2026-11-30T12:00:00.000Z');

/** A clock the test moves; milliseconds, like the real one. */
export class TestClock {
  constructor(public ms: number = T0) {}
  now = (): number => this.ms;
  advanceMs(ms: number): void {
    this.ms += ms;
  }
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1_000;
  }
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
}

/** A JSON logger whose lines are kept for assertions. */
export function captureLogger(clock: { now(): number }): CapturedLog {
  const lines: string[] = [];
  return { logger: createJsonLogger({ clock, write: (line) => lines.push(line), level: 'debug' }), lines };
}

export function secretString(key: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ machineId: MACHINE_ID, secretKey: key, ...extra });
}

export type SecretsManagerMock = ReturnType<typeof newSecretsManagerMock>;

export function newSecretsManagerMock() {
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  const mock = mockClient(client);
  const getCalls = () => mock.commandCalls(GetSecretValueCommand);
  return { client, mock, getCalls };
}

export const awsError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} raised by the test`), { name, $fault: 'client', $metadata: {}, ...extra });

/** Asserts that no machine or instance key value appears in any of the texts (log lines, error messages). */
export function expectNoKeyLeak(texts: readonly string[], keys: readonly string[] = []): void {
  for (const text of texts) {
    for (const key of keys) expect(text).not.toContain(key);
    expect(text).not.toMatch(/\b(?:ak|sk_test|sk_live)_[A-Za-z0-9]{8,}/);
  }
}

export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A fetch that answers with `respond` and records every request. */
export function recordingFetch(respond: (request: RecordedRequest, index: number) => Response | Promise<Response>): {
  fetch: typeof fetch;
  requests: RecordedRequest[];
} {
  const requests: RecordedRequest[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const request: RecordedRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    return respond(request, requests.length - 1);
  };
  return { fetch: fake as typeof fetch, requests };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const clerkError = (status: number, code: string, headers: Record<string, string> = {}): Response =>
  json(status, { errors: [{ message: code, long_message: code, code }], clerk_trace_id: 'trace_123' }, headers);

export function tokenWire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object: 'machine_to_machine_token',
    id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
    subject: MACHINE_ID,
    claims: null,
    scopes: [],
    token: `mt_${randomBytes(16).toString('hex')}`,
    revoked: false,
    revocation_reason: null,
    expired: false,
    expiration: 1716883200000,
    last_used_at: null,
    created_at: 1716879600000,
    updated_at: 1716879600000,
    ...overrides,
  };
}

/** Where the reader's Clerk helpers are pointed in unit tests; the fake fetch answers, nothing leaves the process. */
export const CLERK_API = 'https://api.clerk.test/v1';

export interface FakeClerkTransport {
  readonly requests: RecordedRequest[];
  /** Every wait the retry policy asked for, in milliseconds (the clock moves by as much). */
  readonly sleeps: number[];
  /** The transport options of createM2MToken and verifyM2MToken: an empty env, so CLERK_API_URL never leaks in. */
  readonly transport: {
    readonly fetch: typeof fetch;
    readonly apiUrl: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly clock: TestClock;
    readonly sleep: (ms: number) => Promise<void>;
    readonly retry: { readonly minTimeoutMs: number; readonly maxTimeoutMs: number };
  };
}

/** random() = 0.5 makes the maxAge jitter factor exactly 1. */
export const noJitter = (): number => 0.5;

/** One test's reader world; every call of createReaderFixture() starts a new one. */
export interface ReaderFixture {
  readonly sm: SecretsManagerMock;
  readonly clock: TestClock;
  readonly log: CapturedLog;
  /** GetSecretValue's answer for `versionId` of the secret, holding `key` (and `extra` fields). */
  answer(versionId: string, key: string, extra?: Record<string, unknown>): GetSecretValueCommandOutput;
  /** A provider for SECRET_NAME over this fixture's client, clock and logger, without jitter; `options` override. */
  provider(options?: Partial<MachineKeyProviderOptions>): MachineKeyProvider;
  /** A fake Clerk at CLERK_API answering with `respond`, on this fixture's clock. */
  clerk(respond: (request: RecordedRequest, index: number) => Response | Promise<Response>): FakeClerkTransport;
}

export function createReaderFixture(): ReaderFixture {
  const sm = newSecretsManagerMock();
  const clock = new TestClock();
  const log = captureLogger(clock);
  return {
    sm,
    clock,
    log,
    answer: (versionId, key, extra = {}) => ({
      $metadata: {},
      ARN: SECRET_ARN,
      Name: SECRET_NAME,
      VersionId: versionId,
      SecretString: secretString(key, extra),
      VersionStages: ['AWSCURRENT'],
    }),
    provider: (options = {}) =>
      createMachineKeyProvider({
        secretId: SECRET_NAME,
        client: sm.client,
        clock,
        logger: log.logger,
        random: noJitter,
        ...options,
      }),
    clerk: (respond) => {
      const { fetch, requests } = recordingFetch(respond);
      const sleeps: number[] = [];
      const sleep = async (ms: number) => {
        sleeps.push(ms);
        clock.advanceMs(ms);
      };
      const retry = { minTimeoutMs: 1, maxTimeoutMs: 2 };
      return { requests, sleeps, transport: { fetch, apiUrl: CLERK_API, env: {}, clock, sleep, retry } };
    },
  };
}

/** A fixture whose secret answers version v1 with the first of three fresh keys (`keys`). */
export function createReaderFixtureWithKeys(): ReaderFixture & { readonly keys: readonly [string, string, string] } {
  const fixture = createReaderFixture();
  const keys = [newMachineKey(), newMachineKey(), newMachineKey()] as const;
  fixture.sm.mock.on(GetSecretValueCommand).resolves(fixture.answer('v1', keys[0]));
  return { ...fixture, keys };
}

/** Runs `use` with a Clerk emulator of its own on loopback (no rate limit), closed afterwards. */
export async function withClerkEmulator<T>(use: (emulator: ClerkEmulator) => Promise<T>): Promise<T> {
  const emulator = await startClerkEmulator({ rateLimit: false });
  try {
    return await use(emulator);
  } finally {
    await emulator.close();
  }
}
