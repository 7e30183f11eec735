import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultAction, FaultPlan } from '../common/faultTypes.ts';
import type { AuditEntry, AuditLog } from './AuditLog.ts';
import { type Authentication, authenticate } from './authenticate.ts';
import type { ClerkExchange } from './ClerkExchange.ts';
import { type AuditedOperation, UNKNOWN_OPERATION } from './clerkOperations.ts';
import { errorReply, exchangeResponse, injectedReply, type Reply, sendReply } from './clerkReplies.ts';
import { EmulatedClerkError } from './errors.ts';
import type { FaultInjector } from './FaultInjector.ts';
import { matchRoute, type RouteMatch } from './matchRoute.ts';
import { MACHINE_PATH_OPERATIONS } from './operationTable.ts';
import { type ProcessDeps, processClerkCall } from './processClerkCall.ts';
import { readRequestBody } from './requestBody.ts';

export interface ClerkRequestHandlerDeps extends ProcessDeps {
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  readonly maxBodyBytes: number;
  /** Aborted when the emulator closes: calls still waiting (latency, late landings) are dropped unprocessed. */
  readonly closing: AbortSignal;
  readonly onExchange?: (exchange: ClerkExchange) => void;
}

/** One request as it arrived, with the faults decided for it. */
interface Call {
  readonly at: number;
  readonly req: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  readonly route: RouteMatch | undefined;
  readonly operation: AuditedOperation;
  readonly plan: FaultPlan;
}

type Fields = Pick<AuditEntry, 'status' | 'outcome'> &
  Partial<Pick<AuditEntry, 'errorCode' | 'fault' | 'machineId' | 'processedAt' | 'answeredStatus'>>;

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

const drop = (req: IncomingMessage, res: ServerResponse): void => {
  res.socket?.destroy();
  req.socket.destroy();
};

/** Real-time wait before processing; false when the emulator closed meanwhile. */
const waitUnlessClosing = async (ms: number, closing: AbortSignal): Promise<boolean> => {
  if (ms > 0) {
    try {
      await sleep(ms, undefined, { signal: closing });
    } catch {
      return false;
    }
  }
  return !closing.aborted;
};

const delayOf = (action: FaultAction | undefined): number =>
  action?.kind === 'land-late' || action?.kind === 'answer-now-process-later' ? action.afterMs : 0;

const replyFields = (reply: Reply): Pick<Fields, 'status' | 'errorCode' | 'machineId'> => ({
  status: reply.status,
  ...(reply.errorCode === undefined ? {} : { errorCode: reply.errorCode }),
  ...(reply.machineId === undefined ? {} : { machineId: reply.machineId }),
});

const outcomeOf = (status: number): 'ok' | 'error' => (status < 400 ? 'ok' : 'error');

/** Writes the audit entry and hands the exchange to `onExchange` (a hook that throws only warns). */
const report = (
  deps: ClerkRequestHandlerDeps,
  call: Call,
  auth: Authentication,
  fields: Fields,
  bodyText: string | undefined,
  response: Reply | undefined,
): void => {
  const { route, req } = call;
  const pathMachineId = route !== undefined && MACHINE_PATH_OPERATIONS.has(route.operation) ? route.pathId : undefined;
  const principalMachineId = auth.principal?.kind === 'machine' ? auth.principal.machineId : undefined;
  const machineId = fields.machineId ?? pathMachineId ?? principalMachineId;
  const apiVersionHeader = headerValue(req, 'clerk-api-version');
  deps.audit.record({
    at: call.at,
    operation: call.operation,
    method: call.method,
    path: call.url.pathname,
    keyKind: auth.keyKind,
    ...fields,
    ...(machineId === undefined ? {} : { machineId }),
    ...(auth.principal === undefined ? {} : { instanceId: auth.principal.instanceId }),
    ...(apiVersionHeader === undefined ? {} : { apiVersionHeader }),
    ...(call.plan.latencyMs > 0 ? { latencyMs: call.plan.latencyMs } : {}),
  });
  if (deps.onExchange === undefined) return;
  try {
    deps.onExchange({
      operation: call.operation,
      outcome: fields.outcome,
      request: {
        method: call.method,
        path: call.url.pathname,
        query: Object.fromEntries(call.url.searchParams),
        headers: redactedHeaders(req),
        body: bodyText,
      },
      response: response === undefined ? undefined : exchangeResponse(response),
    });
  } catch (error) {
    process.emitWarning(`onExchange hook threw: ${(error as Error).message}`, { code: 'CLERK_EMULATOR_ON_EXCHANGE' });
  }
};

const describeCall = (deps: ClerkRequestHandlerDeps, req: IncomingMessage): Call => {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = matchRoute(method, url.pathname);
  return {
    at: deps.clock.now(),
    req,
    method,
    url,
    route,
    operation: route?.operation ?? UNKNOWN_OPERATION,
    plan: deps.faults.plan({ operation: route?.operation, method, path: url.pathname }),
  };
};

/** The whole body, or the error a too-large body is answered with; undefined when the client went away mid-body. */
const readBody = async (req: IncomingMessage, maxBytes: number) => {
  try {
    return { raw: await readRequestBody(req, maxBytes), error: undefined };
  } catch (error) {
    if (!(error instanceof EmulatedClerkError)) return undefined;
    return { raw: Buffer.alloc(0), error };
  }
};

/**
 * The emulator's request pipeline: route and decide faults → read body → answer now (answer-now-process-later) →
 * wait (latency, late landing) → authenticate → injected terminal fault, or process (rate limit, body, handler) →
 * answer, or drop after processing → audit entry and exchange. Each call is recorded once, when it is done.
 */
export const createClerkRequestHandler =
  (deps: ClerkRequestHandlerDeps) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const call = describeCall(deps, req);
    const { action } = call.plan;
    const authNow = () => authenticate(deps.state, headerValue(req, 'authorization'));
    if (action?.kind === 'drop-before-processing' && call.plan.latencyMs === 0) {
      report(
        deps,
        call,
        authNow(),
        { status: null, outcome: 'dropped-before-processing', fault: action.kind },
        undefined,
        undefined,
      );
      return drop(req, res);
    }
    const body = await readBody(req, deps.maxBodyBytes);
    if (body === undefined) return;
    const bodyText = body.raw.length > 0 ? body.raw.toString('utf8') : undefined;
    const answered = action?.kind === 'answer-now-process-later' ? injectedReply(action.reply) : undefined;
    if (answered !== undefined) sendReply(res, answered);

    if (!(await waitUnlessClosing(call.plan.latencyMs + delayOf(action), deps.closing))) {
      if (answered !== undefined && action !== undefined) {
        const fields: Fields = { ...replyFields(answered), outcome: outcomeOf(answered.status), fault: action.kind };
        report(deps, call, authNow(), fields, bodyText, answered);
      }
      return drop(req, res);
    }
    // Authenticate after the wait: a previous key may have expired meanwhile on the emulator's clock.
    const auth = authNow();
    if (action?.kind === 'drop-before-processing') {
      report(
        deps,
        call,
        auth,
        { status: null, outcome: 'dropped-before-processing', fault: action.kind },
        bodyText,
        undefined,
      );
      return drop(req, res);
    }
    if (action?.kind === 'error' || action?.kind === 'raw') {
      const reply = injectedReply(action);
      report(
        deps,
        call,
        auth,
        { ...replyFields(reply), outcome: outcomeOf(reply.status), fault: action.kind },
        bodyText,
        reply,
      );
      return sendReply(res, reply);
    }

    const request = {
      route: call.route,
      query: call.url.searchParams,
      contentType: headerValue(req, 'content-type'),
      rawBody: body.raw,
    };
    const reply = body.error === undefined ? processClerkCall(deps, request, auth) : errorReply(body.error);
    const processed = {
      ...replyFields(reply),
      processedAt: deps.clock.now(),
      ...(action === undefined ? {} : { fault: action.kind }),
    };
    if (action?.kind === 'drop-after-processing') {
      report(deps, call, auth, { ...processed, outcome: 'dropped-after-processing' }, bodyText, undefined);
      return drop(req, res);
    }
    if (answered !== undefined) {
      const fields: Fields = { ...processed, outcome: 'processed-after-answer', answeredStatus: answered.status };
      return report(deps, call, auth, fields, bodyText, answered);
    }
    report(deps, call, auth, { ...processed, outcome: outcomeOf(reply.status) }, bodyText, reply);
    sendReply(res, reply);
  };
