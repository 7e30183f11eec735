import { type Clock, realSleep, type Sleep, systemClock } from '../Clock.ts';
import { Defaults, PACKAGE_NAME, PACKAGE_VERSION } from '../constants.ts';
import { ClerkApiError, type ClerkErrorCode, ErrorCode } from '../errors.ts';
import { externalText } from '../externalText.ts';
import { parseClerkApiUrl } from '../parseClerkApiUrl.ts';
import type { Redacted } from '../Redacted.ts';
import { defaultRetryOptions, type RetryKind, type RetryOptions, withRetry } from './retryPolicy.ts';

/** How every Clerk call of this package travels: the rotation function's client and the reader's helpers. */
export interface ClerkTransportOptions {
  readonly fetch: typeof fetch;
  /** @default https://api.clerk.com/v1 (http only to a loopback host, for the local stack) */
  readonly apiUrl?: string;
  /** Per-request timeout, including reading the body. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Epoch ms after which no request starts or waits (e.g. the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** Overrides lib/clerk/retryPolicy.ts defaults. */
  readonly retry?: Partial<RetryOptions>;
}

export interface ClerkRequest {
  /** Clerk's operation name, used in error messages. */
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  /** Path below the API URL, with its query string. */
  readonly path: string;
  readonly key: Redacted;
  readonly body?: unknown;
  /**
   * 'safe' for reads and verification; 'rotate' for anything that must not run twice (only 429 is retried);
   * 'recorded' for a machine-key rotate: never retried, and sent only with its whole timeout before the deadline.
   */
  readonly retry: RetryKind;
}

/** Bodies larger than this are refused unread: Clerk's replies here are a few hundred bytes. */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION}`;
/** Clerk's error codes and trace ids are a few dozen characters; anything longer is cut (it is repeated in logs). */
const MAX_CLERK_FIELD_LENGTH = 100;

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

/** Node's fetch wraps the cause (ECONNRESET, UND_ERR_…): name both, and nothing of the message. */
function describeNetworkError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'unknown';
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? `${name}: ${externalText(code)}` : name;
}

function isJson(response: Response): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(response.headers.get('content-type') ?? '');
}

type FailDetails = Partial<ConstructorParameters<typeof ClerkApiError>[2]>;
type Fail = (code: ClerkErrorCode, message: string, details: FailDetails) => ClerkApiError;

/** How long this attempt may wait for Clerk; throws "not sent" when the deadline leaves too little. */
function attemptTimeout(request: ClerkRequest, requestTimeoutMs: number, remaining: number, fail: Fail): number {
  if (remaining <= 0) throw fail(ErrorCode.clerkDeadline, 'not sent: the invocation deadline has passed', {});
  // A request that must not run twice gets its whole timeout or is not sent: a rotate cut short by the deadline
  // times out at our end and may still land at Clerk, with nobody left to read the result.
  if (request.retry === 'recorded' && remaining < requestTimeoutMs) {
    throw fail(
      ErrorCode.clerkDeadline,
      `not sent: ${Math.max(0, Math.floor(remaining))} ms left before the deadline, less than the ${requestTimeoutMs} ms timeout`,
      {},
    );
  }
  return Math.min(requestTimeoutMs, remaining);
}

function headersFor(request: ClerkRequest): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${request.key.reveal()}`,
    'Clerk-API-Version': Defaults.clerkApiVersion,
    'User-Agent': USER_AGENT,
    Accept: 'application/json',
  };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  return headers;
}

/** The request on the wire, and its body read (capped); a timeout or a broken connection becomes an ambiguous error. */
async function exchange(
  fetcher: typeof fetch,
  url: string,
  request: ClerkRequest,
  timeoutMs: number,
  fail: Fail,
): Promise<{ response: Response; text: string | undefined }> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetcher(url, {
      method: request.method,
      headers: headersFor(request),
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
      redirect: 'error',
    });
    return { response, text: await readCapped(response) };
  } catch (error) {
    // A timeout or reset may hide a request Clerk processed: ambiguous. The raw error is not kept as the cause:
    // fetch's messages can quote request headers, and the Authorization header holds a key.
    const timedOut = signal.aborted;
    throw fail(
      timedOut ? ErrorCode.clerkTimeout : ErrorCode.clerkNetwork,
      timedOut ? `no complete response within ${timeoutMs} ms` : `network error (${describeNetworkError(error)})`,
      { ambiguous: true },
    );
  }
}

function parseJson(response: Response, text: string | undefined): unknown {
  if (text === undefined || !isJson(response)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A 2xx must carry a readable JSON body; anything else was processed but cannot be read: ambiguous. */
function readSuccess(response: Response, text: string | undefined, parsed: unknown, fail: Fail): unknown {
  const { status } = response;
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

/** A non-2xx as a typed error: Clerk's envelope (code and trace id, made safe), Retry-After, and whether it is ambiguous. */
function failureOf(response: Response, parsed: unknown, now: number, fail: Fail): ClerkApiError {
  const { status } = response;
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), now);
  const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ClerkEnvelope;
  const first = Array.isArray(envelope.errors) ? envelope.errors[0] : undefined;
  const clerkCode = typeof first?.code === 'string' ? externalText(first.code, MAX_CLERK_FIELD_LENGTH) : undefined;
  const clerkTraceId =
    typeof envelope.clerk_trace_id === 'string'
      ? externalText(envelope.clerk_trace_id, MAX_CLERK_FIELD_LENGTH)
      : undefined;
  const code = codeForStatus(status);
  const detail = clerkCode ? `${STATUS_HINTS[code]}: ${clerkCode}` : `${STATUS_HINTS[code]}`;
  const retryHint = retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`;
  // Only a 4xx (429 included) proves the request was not processed; any 5xx may come from a gateway that forwards
  // the request later, so it is as ambiguous as a timeout.
  return fail(code, `${detail}${retryHint}`, {
    status,
    clerkCode,
    clerkTraceId,
    retryAfterSeconds,
    ambiguous: status >= 500 || status < 400,
  });
}

/**
 * Sends one Clerk request with our headers (Bearer key, Clerk-API-Version, User-Agent, JSON content type on bodies),
 * a timeout capped by the deadline, a capped body read and the one retry policy; returns the parsed JSON of a 2xx or
 * throws a typed ClerkApiError. The key only ever goes into the Authorization header.
 */
export async function sendClerkRequest(options: ClerkTransportOptions, request: ClerkRequest): Promise<unknown> {
  const apiUrl = parseClerkApiUrl(options.apiUrl ?? Defaults.clerkApiUrl);
  const clock = options.clock ?? systemClock;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const fail: Fail = (code, message, details) =>
    new ClerkApiError(code, message, { operation: request.operation, ambiguous: false, ...details });

  const attempt = async (): Promise<unknown> => {
    const timeoutMs = attemptTimeout(request, requestTimeoutMs, deadline - clock.now(), fail);
    const { response, text } = await exchange(options.fetch, `${apiUrl}${request.path}`, request, timeoutMs, fail);
    const parsed = parseJson(response, text);
    if (response.status >= 200 && response.status < 300) return readSuccess(response, text, parsed, fail);
    throw failureOf(response, parsed, clock.now(), fail);
  };

  return withRetry(attempt, {
    kind: request.retry,
    options: { ...defaultRetryOptions, ...options.retry },
    clock,
    sleep: options.sleep ?? realSleep,
    deadline,
  });
}
