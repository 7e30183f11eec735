import type { ServerResponse } from 'node:http';
import type { InjectedReply } from '../common/faultTypes.ts';
import type { ClerkExchange } from './ClerkExchange.ts';
import { EmulatedClerkError, EmulatedClerkErrorCode, injectedError } from './errors.ts';
import { newTraceId } from './identifiers.ts';

/** One answer, before it is sent (or dropped). */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  readonly errorCode?: string;
  /** The machine the call concerned, when the handler learned it (e.g. a new machine's id). */
  readonly machineId?: string;
}

const JSON_CONTENT_TYPE = 'application/json';

export const jsonReply = (status: number, body: unknown, machineId?: string): Reply => ({
  status,
  headers: { 'content-type': JSON_CONTENT_TYPE },
  body: JSON.stringify(body),
  ...(machineId === undefined ? {} : { machineId }),
});

/** Clerk's envelope with a fresh trace id, and `Retry-After` when the error carries one. */
export const errorReply = (error: EmulatedClerkError): Reply => ({
  status: error.status,
  headers: {
    'content-type': JSON_CONTENT_TYPE,
    ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
  },
  body: JSON.stringify(error.toEnvelope(newTraceId())),
  errorCode: error.code,
});

export const unexpectedErrorReply = (): Reply =>
  errorReply(
    new EmulatedClerkError({
      status: 500,
      code: EmulatedClerkErrorCode.internalClerkError,
      message: 'There was an internal error on our servers',
      longMessage: 'The emulator failed while handling this request.',
    }),
  );

/** A fault's answer: Clerk's envelope for an injected error, or exactly the raw status, headers and body. */
export const injectedReply = (reply: InjectedReply): Reply =>
  reply.kind === 'error'
    ? errorReply(injectedError(reply))
    : { status: reply.status, headers: { ...(reply.headers ?? {}) }, body: reply.body };

export const sendReply = (res: ServerResponse, reply: Reply): void => {
  if (res.destroyed || res.headersSent) return;
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.byteLength) });
  res.end(body);
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** The reply as `onExchange` reports it: the parsed JSON of a text body that parses, and the raw text. */
export const exchangeResponse = (reply: Reply): NonNullable<ClerkExchange['response']> => ({
  status: reply.status,
  headers: reply.headers,
  body: typeof reply.body === 'string' ? parseJson(reply.body) : undefined,
  rawBody: typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body).toString('utf8'),
});
