import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import { createJsonLogger, type Logger } from '../../lib/Logger.ts';

export const MACHINE_ID = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
export const SECRET_NAME = 'prod/clerk/machines/billing';
export const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_NAME}-AbCdEf`;
export const T0 = Date.parse('2026-11-30T12:00:00.000Z');

export const newMachineKey = (): string => `ak_${randomBytes(16).toString('hex')}`;

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

/** A JSON logger whose lines are kept for assertions. */
export function captureLogger(clock: { now(): number }): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createJsonLogger({ clock, write: (line) => lines.push(line), level: 'debug' }), lines };
}

export function secretString(key: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ machineId: MACHINE_ID, secretKey: key, ...extra });
}

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
