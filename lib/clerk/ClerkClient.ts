import { Defaults } from '../constants.ts';
import type { ClerkMachineApi } from '../core/ClerkMachineApi.ts';
import { ClerkApiError, ErrorCode } from '../errors.ts';
import { parseClerkApiUrl } from '../parseClerkApiUrl.ts';
import type { Redacted } from '../Redacted.ts';
import { assertMachineId, assertMachineKey } from '../secretFormat.ts';
import { type ClerkRequest, type ClerkTransportOptions, sendClerkRequest } from './sendClerkRequest.ts';

export type { ClerkMachineApi };

export type ClerkClientOptions = ClerkTransportOptions;

export function createClerkClient(options: ClerkClientOptions): ClerkMachineApi {
  // Validate the URL once, when the client is made, not on the first call.
  const transport: ClerkTransportOptions = {
    ...options,
    apiUrl: parseClerkApiUrl(options.apiUrl ?? Defaults.clerkApiUrl),
  };
  const call = (request: ClerkRequest) => sendClerkRequest(transport, request);

  function readSecret(body: unknown, operation: string): Redacted {
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (record.object !== 'machine_secret_key' || typeof record.secret !== 'string') {
      throw new ClerkApiError(
        ErrorCode.clerkInvalidResponse,
        'expected {"object": "machine_secret_key", "secret": "ak_…"} in the response',
        { operation, status: 200, ambiguous: true },
      );
    }
    try {
      return assertMachineKey(record.secret, 'response');
    } catch {
      throw new ClerkApiError(ErrorCode.clerkInvalidResponse, 'the returned secret does not start with "ak_"', {
        operation,
        status: 200,
        ambiguous: true,
      });
    }
  }

  const machinePath = (machineId: string) => `/machines/${encodeURIComponent(assertMachineId(machineId, 'machineId'))}`;

  return {
    async getMachineSecretKey(instanceKey, machineId) {
      const operation = 'GetMachineSecretKey';
      const path = `${machinePath(machineId)}/secret_key`;
      return readSecret(await call({ operation, method: 'GET', path, key: instanceKey, retry: 'safe' }), operation);
    },

    async rotateMachineSecretKey(instanceKey, machineId, previousTokenTtlSeconds) {
      const operation = 'RotateMachineSecretKey';
      const path = `${machinePath(machineId)}/secret_key/rotate`;
      const body = { previous_token_ttl: previousTokenTtlSeconds };
      return readSecret(
        await call({ operation, method: 'POST', path, key: instanceKey, body, retry: 'recorded' }),
        operation,
      );
    },

    async verifyMachineKey(machineKey, machineId) {
      const operation = 'ListM2MTokens';
      assertMachineId(machineId, 'machineId');
      const query = new URLSearchParams({ subject: machineId, limit: '1' });
      const body = await call({
        operation,
        method: 'GET',
        path: `/m2m_tokens?${query}`,
        key: machineKey,
        retry: 'safe',
      });
      const tokens = (body as { m2m_tokens?: unknown } | null)?.m2m_tokens;
      if (!Array.isArray(tokens)) {
        throw new ClerkApiError(ErrorCode.clerkInvalidResponse, 'expected {"m2m_tokens": [...]} in the response', {
          operation,
          status: 200,
          ambiguous: false,
        });
      }
    },
  };
}
