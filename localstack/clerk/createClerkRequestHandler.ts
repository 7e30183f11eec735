import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEntry, AuditLog, AuditOutcome } from './auditLog.ts';
import { type Authentication, authenticate } from './authenticate.ts';
import type { ClerkExchange } from './ClerkExchange.ts';
import type { ClerkState } from './ClerkState.ts';
import {
  authenticationInvalid,
  authorizationInvalid,
  ClerkApiError,
  ClerkErrorCode,
  injectedServerError,
  resourceNotFound,
  tooManyRequests,
} from './clerkErrors.ts';
import { type AuditedOperation, UNKNOWN_OPERATION } from './clerkOperations.ts';
import type { FaultAction, FaultInjector } from './faults.ts';
import { newTraceId } from './identifiers.ts';
import type { Clock } from './ManualClock.ts';
import { matchRoute, type RouteMatch } from './matchRoute.ts';
import type { KeyRequirement } from './OperationSpec.ts';
import { MACHINE_PATH_OPERATIONS, operationTable } from './operationTable.ts';
import type { RateLimiter } from './rateLimiter.ts';
import { parseJsonObjectBody, readRequestBody } from './requestBody.ts';

export interface ClerkRequestHandlerDeps {
  readonly state: ClerkState;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  readonly rateLimiter: RateLimiter;
  readonly maxBodyBytes: number;
  /** Aborted when the emulator closes: pending latencies stop and their calls are not processed. */
  readonly closing: AbortSignal;
  readonly onExchange?: (exchange: ClerkExchange) => void;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  readonly errorCode?: string;
  readonly machineId?: string;
}

const JSON_CONTENT_TYPE = 'application/json';

const jsonReply = (status: number, body: unknown, machineId?: string): Reply => ({
  status,
  headers: { 'content-type': JSON_CONTENT_TYPE },
  body: JSON.stringify(body),
  ...(machineId === undefined ? {} : { machineId }),
});

const errorReply = (error: ClerkApiError): Reply => ({
  status: error.status,
  headers: {
    'content-type': JSON_CONTENT_TYPE,
    ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
  },
  body: JSON.stringify(error.toEnvelope(newTraceId())),
  errorCode: error.code,
});

const unexpectedErrorReply = (): Reply =>
  errorReply(
    new ClerkApiError({
      status: 500,
      code: ClerkErrorCode.internalClerkError,
      message: 'There was an internal error on our servers',
      longMessage: 'The emulator failed while handling this request.',
    }),
  );

const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

const redactedHeaders = (req: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === 'authorization' ? 'Bearer [redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
};

/**
 * 401 when no valid key was presented; 403 when a valid key of the wrong kind was. The spec declares 401/403 on every
 * /machines path; the /m2m_tokens paths declare neither (only GET lists a 403) — we still answer 401 for a bad key
 * there, as @clerk/backend expects ("Invalid secret key" on 401), and 403 for an instance key on POST /m2m_tokens.
 */
const requireKey = (required: KeyRequirement, auth: Authentication): NonNullable<Authentication['principal']> => {
  const principal = auth.principal;
  if (principal === undefined) {
    throw authenticationInvalid(
      auth.keyKind === 'none'
        ? 'No Authorization header was sent; use Authorization: Bearer <secret key>.'
        : 'The secret key in the Authorization header is not valid.',
    );
  }
  if (required === 'instance' && principal.kind !== 'instance') {
    throw authorizationInvalid('This endpoint requires the instance secret key (sk_…), not a machine secret key.');
  }
  if (required === 'machine' && principal.kind !== 'machine') {
    throw authorizationInvalid('This endpoint requires a machine secret key (ak_…), not the instance secret key.');
  }
  return principal;
};

const rateLimitBucket = (principal: NonNullable<Authentication['principal']>): string =>
  principal.kind === 'instance' ? `instance:${principal.instanceId}` : `machine:${principal.machineId}`;

const faultReply = (
  action: Exclude<FaultAction, { kind: 'drop-before-processing' | 'drop-after-processing' }>,
): Reply =>
  action.kind === 'error'
    ? errorReply(injectedServerError(action.status, action.code, action.retryAfterSeconds))
    : { status: action.status, headers: { ...(action.headers ?? {}) }, body: action.body };

const outcomeOf = (status: number): AuditOutcome => (status < 400 ? 'ok' : 'error');

const parseBodyForRecord = (reply: Reply): unknown => {
  if (typeof reply.body !== 'string') return undefined;
  try {
    return JSON.parse(reply.body) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * The emulator's request pipeline: route → read body → injected latency → injected terminal fault → authenticate →
 * rate limit → parse body → handle → answer (or drop after processing) → audit and record.
 */
export const createClerkRequestHandler = (deps: ClerkRequestHandlerDeps) => {
  const { state, clock, audit, faults, rateLimiter } = deps;

  const processCall = (
    route: RouteMatch | undefined,
    auth: Authentication,
    rawBody: Buffer,
    req: IncomingMessage,
    url: URL,
  ): Reply => {
    try {
      if (route === undefined) {
        // Unknown paths, and spec paths this emulator does not implement, answer 404 before any key check.
        throw resourceNotFound('The requested resource does not exist in this Clerk emulator.');
      }
      const spec = operationTable[route.operation];
      const principal = requireKey(spec.keys, auth);
      const decision = rateLimiter.consume(rateLimitBucket(principal));
      if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
      const body =
        spec.body === 'none'
          ? {}
          : parseJsonObjectBody(rawBody, headerValue(req, 'content-type'), { required: spec.body === 'required' });
      const result = spec.handle({
        state,
        now: Math.floor(clock.now()),
        principal,
        pathId: route.pathId,
        query: url.searchParams,
        body,
      });
      return jsonReply(result.status, result.body, result.machineId);
    } catch (error) {
      return error instanceof ClerkApiError ? errorReply(error) : unexpectedErrorReply();
    }
  };

  const emitExchange = (exchange: ClerkExchange): void => {
    if (deps.onExchange === undefined) return;
    try {
      deps.onExchange(exchange);
    } catch (error) {
      process.emitWarning(`onExchange hook threw: ${(error as Error).message}`, { code: 'CLERK_EMULATOR_ON_EXCHANGE' });
    }
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = clock.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const route = matchRoute(method, path);
    const operation: AuditedOperation = route?.operation ?? UNKNOWN_OPERATION;
    const apiVersionHeader = headerValue(req, 'clerk-api-version');
    const plan = faults.plan({ operation: route?.operation, method, path });

    const requestRecord = (body: string | undefined): ClerkExchange['request'] => ({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: redactedHeaders(req),
      body,
    });

    const record = (
      auth: Authentication,
      fields: Pick<AuditEntry, 'status' | 'outcome'> & Partial<Pick<AuditEntry, 'errorCode' | 'fault' | 'machineId'>>,
    ): void => {
      const pathMachineId =
        route !== undefined && MACHINE_PATH_OPERATIONS.has(route.operation) ? route.pathId : undefined;
      const principalMachineId = auth.principal?.kind === 'machine' ? auth.principal.machineId : undefined;
      const machineId = fields.machineId ?? pathMachineId ?? principalMachineId;
      audit.record({
        at,
        operation,
        method,
        path,
        keyKind: auth.keyKind,
        status: fields.status,
        outcome: fields.outcome,
        ...(machineId === undefined ? {} : { machineId }),
        ...(auth.principal === undefined ? {} : { instanceId: auth.principal.instanceId }),
        ...(fields.errorCode === undefined ? {} : { errorCode: fields.errorCode }),
        ...(apiVersionHeader === undefined ? {} : { apiVersionHeader }),
        ...(fields.fault === undefined ? {} : { fault: fields.fault }),
        ...(plan.latencyMs > 0 ? { latencyMs: plan.latencyMs } : {}),
      });
    };

    const drop = (): void => {
      res.socket?.destroy();
      req.socket.destroy();
    };

    if (plan.action?.kind === 'drop-before-processing' && plan.latencyMs === 0) {
      record(authenticate(state, headerValue(req, 'authorization')), {
        status: null,
        outcome: 'dropped-before-processing',
        fault: 'drop-before-processing',
      });
      emitExchange({
        operation,
        outcome: 'dropped-before-processing',
        request: requestRecord(undefined),
        response: undefined,
      });
      drop();
      return;
    }

    let rawBody: Buffer;
    let bodyError: ClerkApiError | undefined;
    try {
      rawBody = await readRequestBody(req, deps.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof ClerkApiError)) return; // the client went away mid-body
      rawBody = Buffer.alloc(0);
      bodyError = error;
    }
    const bodyText = rawBody.length > 0 ? rawBody.toString('utf8') : undefined;

    if (plan.latencyMs > 0) {
      try {
        await sleep(plan.latencyMs, undefined, { signal: deps.closing });
      } catch {
        drop();
        return;
      }
    }
    if (deps.closing.aborted) {
      drop();
      return;
    }

    // Authenticate after the latency: a previous key may have expired meanwhile on the emulator's clock.
    const auth = authenticate(state, headerValue(req, 'authorization'));
    const action = plan.action;

    if (action?.kind === 'drop-before-processing') {
      record(auth, { status: null, outcome: 'dropped-before-processing', fault: action.kind });
      emitExchange({
        operation,
        outcome: 'dropped-before-processing',
        request: requestRecord(bodyText),
        response: undefined,
      });
      drop();
      return;
    }

    let reply: Reply;
    let fault: string | undefined;
    if (action !== undefined && action.kind !== 'drop-after-processing') {
      reply = faultReply(action);
      fault = action.kind;
    } else if (bodyError !== undefined) {
      reply = errorReply(bodyError);
    } else {
      reply = processCall(route, auth, rawBody, req, url);
    }

    if (action?.kind === 'drop-after-processing') {
      record(auth, {
        status: reply.status,
        outcome: 'dropped-after-processing',
        fault: action.kind,
        ...(reply.errorCode === undefined ? {} : { errorCode: reply.errorCode }),
        ...(reply.machineId === undefined ? {} : { machineId: reply.machineId }),
      });
      emitExchange({
        operation,
        outcome: 'dropped-after-processing',
        request: requestRecord(bodyText),
        response: undefined,
      });
      drop();
      return;
    }

    const outcome = outcomeOf(reply.status);
    record(auth, {
      status: reply.status,
      outcome,
      ...(reply.errorCode === undefined ? {} : { errorCode: reply.errorCode }),
      ...(reply.machineId === undefined ? {} : { machineId: reply.machineId }),
      ...(fault === undefined ? {} : { fault }),
    });
    if (!res.destroyed) {
      const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.byteLength) });
      res.end(body);
    }
    emitExchange({
      operation,
      outcome,
      request: requestRecord(bodyText),
      response: {
        status: reply.status,
        headers: reply.headers,
        body: parseBodyForRecord(reply),
        rawBody: typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body).toString('utf8'),
      },
    });
  };
};
