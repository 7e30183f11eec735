import { type Clock, realSleep, type Sleep, systemClock } from '../Clock.ts';
import { Defaults, PACKAGE_NAME, PACKAGE_VERSION } from '../constants.ts';
import { ClerkApiError, type ClerkErrorCode, ErrorCode } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { assertMachineId, assertMachineKey } from '../secretFormat.ts';
import { parseClerkApiUrl } from './parseClerkApiUrl.ts';
import { defaultRetryOptions, type RetryKind, type RetryOptions, withRetry } from './retryPolicy.ts';

/** The Clerk port the rotation core needs: nothing more. */
export interface ClerkMachineApi {
  /** `GET /machines/{id}/secret_key` with the instance key: Clerk's current key for the machine. */
  getMachineSecretKey(instanceKey: Redacted, machineId: string): Promise<Redacted>;
  /** `POST /machines/{id}/secret_key/rotate`. Not idempotent; never retried except on 429. */
  rotateMachineSecretKey(instanceKey: Redacted, machineId: string, previousTokenTtlSeconds: number): Promise<Redacted>;
  /**
   * Proves a machine key authenticates for this machine: `GET /m2m_tokens?subject=<id>&limit=1` with the machine
   * key. No token is minted, nothing is billed. Throws ClerkApiError (CLERK_UNAUTHORIZED, …) when it does not.
   */
  verifyMachineKey(machineKey: Redacted, machineId: string): Promise<void>;
}

export interface ClerkClientOptions {
  readonly fetch: typeof fetch;
  /** @default https://api.clerk.com/v1 */
  readonly apiUrl?: string;
  /** Per-request timeout, including reading the body. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Epoch ms after which no request starts or waits (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly retry?: Partial<RetryOptions>;
}

/** Bodies larger than this are refused unread: Clerk's replies here are a few hundred bytes. */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION}`;

interface Exchange {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly key: Redacted;
  readonly body?: unknown;
  readonly retry: RetryKind;
}

interface ClerkEnvelope {
  errors?: Array<{ code?: unknown; message?: unknown }>;
  clerk_trace_id?: unknown;
}

function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function codeForStatus(status: number): ClerkErrorCode {
  if (status === 401) return ErrorCode.clerkUnauthorized;
  if (status === 403) return ErrorCode.clerkForbidden;
  if (status === 404) return ErrorCode.clerkNotFound;
  if (status === 429) return ErrorCode.clerkRateLimited;
  if (status >= 500) return ErrorCode.clerkServerError;
  return ErrorCode.clerkBadRequest;
}

const STATUS_HINTS: Partial<Record<ClerkErrorCode, string>> = {
  [ErrorCode.clerkUnauthorized]: 'the key was not accepted',
  [ErrorCode.clerkForbidden]: 'the key is valid but not allowed to make this call',
  [ErrorCode.clerkNotFound]: 'no such machine in this Clerk instance',
  [ErrorCode.clerkRateLimited]: 'rate limited',
  [ErrorCode.clerkServerError]: 'Clerk returned a server error',
  [ErrorCode.clerkBadRequest]: 'Clerk rejected the request',
};

async function readCapped(response: Response): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isJson(response: Response): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(response.headers.get('content-type') ?? '');
}

export function createClerkClient(options: ClerkClientOptions): ClerkMachineApi {
  const apiUrl = parseClerkApiUrl(options.apiUrl ?? Defaults.clerkApiUrl);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const retryOptions: RetryOptions = { ...defaultRetryOptions, ...options.retry };

  async function attempt(exchange: Exchange): Promise<unknown> {
    const { operation } = exchange;
    const fail = (
      code: ClerkErrorCode,
      message: string,
      details: Partial<ConstructorParameters<typeof ClerkApiError>[2]>,
    ) => new ClerkApiError(code, message, { operation, ambiguous: false, ...details });

    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw fail(ErrorCode.clerkDeadline, 'not sent: the invocation deadline has passed', {});
    }
    const timeoutMs = Math.min(requestTimeoutMs, remaining);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${exchange.key.reveal()}`,
      'Clerk-API-Version': Defaults.clerkApiVersion,
      'User-Agent': USER_AGENT,
      Accept: 'application/json',
    };
    if (exchange.body !== undefined) headers['Content-Type'] = 'application/json';

    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string | undefined;
    try {
      response = await options.fetch(`${apiUrl}${exchange.path}`, {
        method: exchange.method,
        headers,
        body: exchange.body === undefined ? undefined : JSON.stringify(exchange.body),
        signal,
        redirect: 'error',
      });
      text = await readCapped(response);
    } catch (error) {
      // A timeout or reset may hide a request Clerk processed: ambiguous.
      const timedOut = signal.aborted;
      throw fail(
        timedOut ? ErrorCode.clerkTimeout : ErrorCode.clerkNetwork,
        timedOut ? `no complete response within ${timeoutMs} ms` : `network error (${(error as Error).name})`,
        { ambiguous: true, cause: timedOut ? undefined : error },
      );
    }

    const { status } = response;
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), clock.now());
    let parsed: unknown;
    if (text !== undefined && isJson(response)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }

    if (status >= 200 && status < 300) {
      if (text === undefined) {
        throw fail(ErrorCode.clerkInvalidResponse, `response body larger than ${MAX_RESPONSE_BYTES} bytes`, {
          status,
          ambiguous: true,
        });
      }
      if (parsed === undefined) {
        const type = response.headers.get('content-type') ?? 'none';
        throw fail(
          ErrorCode.clerkInvalidResponse,
          `expected a JSON body, got content-type ${type} (${text.length} bytes)`,
          {
            status,
            ambiguous: true,
          },
        );
      }
      return parsed;
    }

    const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ClerkEnvelope;
    const first = Array.isArray(envelope.errors) ? envelope.errors[0] : undefined;
    const clerkCode = typeof first?.code === 'string' ? first.code : undefined;
    const clerkTraceId = typeof envelope.clerk_trace_id === 'string' ? envelope.clerk_trace_id : undefined;
    const code = codeForStatus(status);
    const detail = clerkCode ? `${STATUS_HINTS[code]}: ${clerkCode}` : `${STATUS_HINTS[code]}`;
    const retryHint = retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`;
    throw fail(code, `${detail}${retryHint}`, {
      status,
      clerkCode,
      clerkTraceId,
      retryAfterSeconds,
      ambiguous: status >= 500,
    });
  }

  function call(exchange: Exchange): Promise<unknown> {
    return withRetry(() => attempt(exchange), {
      kind: exchange.retry,
      options: retryOptions,
      clock,
      sleep,
      deadline,
    });
  }

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
        await call({ operation, method: 'POST', path, key: instanceKey, body, retry: 'rotate' }),
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
