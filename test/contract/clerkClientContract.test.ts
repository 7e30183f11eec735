import { beforeAll, describe, expect, it } from 'vitest';
import type { ClerkExchange } from '../../localstack/clerk/index.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import { loadOpenApiContract, type OpenApiContract } from '../support/openApiContract.ts';

/**
 * Every request our Clerk client sends during real rotations — the clean path, a lost rotate response, a 429, a
 * rejected key — and every response the emulator returns to it, validated against Clerk's official spec.
 */
let contract: OpenApiContract;

beforeAll(async () => {
  contract = await loadOpenApiContract({ allowUndeclaredStatuses: [401, 429, 500, 502, 503] });
}, 60_000);

describe('Contract: the requests our client sends', () => {
  it('validate against the spec, and so do the responses it gets', async () => {
    const exchanges: ClerkExchange[] = [];
    const stack = await startLocalStack({
      onClerkExchange: (exchange) => exchanges.push(exchange),
      clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    });
    try {
      const clean = await stack.addMachine();
      await stack.rotate(clean.secretName);
      const lost = await stack.addMachine();
      stack.clerk.faults.dropAfterProcessing('rotateMachineSecretKey', { times: 1 });
      await stack.rotate(lost.secretName);
      const limited = await stack.addMachine();
      stack.clerk.faults.failNext('rotateMachineSecretKey', { status: 429, retryAfterSeconds: 1 });
      await stack.rotate(limited.secretName);
      const stale = await stack.addMachine();
      stack.clerk.faults.failNext('listM2MTokens', { status: 503 });
      await stack.rotate(stale.secretName);
    } finally {
      await stack.close();
    }

    const ours = exchanges.filter((e) => e.request.headers['user-agent']?.startsWith('clerk-machine-key-rotator/'));
    const operations = new Set(ours.map((e) => e.operation));
    expect([...operations].sort()).toEqual(['getMachineSecretKey', 'listM2MTokens', 'rotateMachineSecretKey']);
    const problems: string[] = [];
    for (const exchange of ours) {
      const { request, response } = exchange;
      const label = `${request.method} ${request.path} → ${response?.status ?? 'dropped'}`;
      for (const p of contract.validateRequest({ ...request, query: request.query }))
        problems.push(`${label}: request: ${p.message}`);
      expect(request.headers['clerk-api-version']).toBe('2026-05-12');
      expect(request.headers.authorization).toBe('Bearer [redacted]');
      if (request.body !== undefined) expect(request.headers['content-type']).toBe('application/json');
      if (response) {
        for (const p of contract.validateResponse({
          method: request.method,
          path: request.path,
          status: response.status,
          body: response.body,
          headers: response.headers,
        })) {
          problems.push(`${label}: response: ${p.message}`);
        }
      }
    }
    expect(ours.length).toBeGreaterThanOrEqual(16);
    expect(problems).toEqual([]);
  }, 60_000);
});
