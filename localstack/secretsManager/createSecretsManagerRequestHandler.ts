import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../common/Clock.ts';
import type { FaultAction, InjectedReply } from '../common/faultTypes.ts';
import type { RandomSource } from '../common/seededRandom.ts';
import type { AuditEntry, AuditLog } from './AuditLog.ts';
import { AwsErrorName, AwsServiceError, injectedError } from './errors.ts';
import type { FaultInjector } from './FaultInjector.ts';
import { randomUuid } from './identifiers.ts';
import { UNKNOWN_OPERATION } from './secretsManagerOperations.ts';
import type { WireObject } from './wireInput.ts';

export type OperationHandler = (input: WireObject) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface SecretsManagerRequestHandlerDeps {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  readonly faults: FaultInjector;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** How the emulator waits for injected latency and late landings. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Aborted when the emulator closes: calls still waiting are dropped unprocessed. */
  readonly closing: AbortSignal;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  /** The AWS error name of an error answer. */
  readonly errorCode?: string;
}

type Fields = Pick<AuditEntry, 'status' | 'outcome'> &
  Partial<Pick<AuditEntry, 'errorCode' | 'fault' | 'processedAt' | 'answeredStatus'>>;

const TARGET_PREFIX = 'secretsmanager.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 1024 * 1024;

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsServiceError(AwsErrorName.serialization, 'Request body too large.', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const parseInput = (body: string): WireObject => {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsServiceError(AwsErrorName.serialization, 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsServiceError(AwsErrorName.serialization, 'The request body must be a JSON object.');
  }
  return parsed as WireObject;
};

const stringField = (input: WireObject, field: string): string | undefined => {
  const value = input[field];
  return typeof value === 'string' ? value : undefined;
};

/** The identifiers a request names, for its audit entry; never a value. */
const identifiersOf = (input: WireObject): Partial<AuditEntry> => {
  const fields = {
    secretId: stringField(input, 'SecretId') ?? stringField(input, 'Name'),
    clientRequestToken: stringField(input, 'ClientRequestToken'),
    versionId: stringField(input, 'VersionId') ?? stringField(input, 'MoveToVersionId'),
    versionStage: stringField(input, 'VersionStage'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
};

const jsonReply = (status: number, body: unknown): Reply => ({
  status,
  headers: { 'content-type': CONTENT_TYPE },
  body: JSON.stringify(body),
});

/**
 * AWS JSON 1.1 error: the SDK takes `__type` (then the `x-amzn-errortype` header) as `error.name`; the message goes in
 * both spellings because the SDK reads `message` and the error shapes declare `Message`.
 */
const errorReply = (error: AwsServiceError, retryAfterSeconds?: number): Reply => ({
  status: error.statusCode,
  headers: {
    'content-type': CONTENT_TYPE,
    'x-amzn-errortype': error.name,
    ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  },
  body: JSON.stringify({ __type: error.name, message: error.message, Message: error.message }),
  errorCode: error.name,
});

const internalError = (): AwsServiceError =>
  new AwsServiceError(AwsErrorName.internalServiceError, 'An error occurred on the server side.', 500);

const injectedReply = (reply: InjectedReply): Reply =>
  reply.kind === 'error'
    ? errorReply(injectedError(reply), reply.retryAfterSeconds)
    : { status: reply.status, headers: { ...(reply.headers ?? {}) }, body: reply.body };

const send = (res: ServerResponse, requestId: string, reply: Reply): void => {
  if (res.destroyed || res.writableEnded) return;
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-length': String(body.byteLength),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
};

const dropConnection = (req: IncomingMessage, res: ServerResponse): void => {
  res.destroy();
  req.socket.destroy();
};

const delayOf = (action: FaultAction | undefined): number =>
  action?.kind === 'land-late' || action?.kind === 'answer-now-process-later' ? action.afterMs : 0;

const outcomeOf = (reply: Reply): 'ok' | 'error' => (reply.status < 400 ? 'ok' : 'error');

const replyFields = (reply: Reply): Pick<Fields, 'status' | 'errorCode'> => ({
  status: reply.status,
  ...(reply.errorCode === undefined ? {} : { errorCode: reply.errorCode }),
});

/** Runs the operation: its answer, or its error as AWS would send it. */
const processOperation = async (
  deps: SecretsManagerRequestHandlerDeps,
  operation: string,
  input: WireObject,
  target: unknown,
): Promise<Reply> => {
  const handler = Object.hasOwn(deps.operations, operation) ? deps.operations[operation] : undefined;
  if (handler === undefined) {
    return errorReply(new AwsServiceError(AwsErrorName.unknownOperation, `Unknown operation ${String(target)}.`));
  }
  try {
    return jsonReply(200, await handler(input));
  } catch (error) {
    return errorReply(error instanceof AwsServiceError ? error : internalError());
  }
};

/** The request's input once the protocol is satisfied, or the error it is refused with. */
const readInput = async (req: IncomingMessage): Promise<WireObject | AwsServiceError> => {
  try {
    const input = parseInput(await readBody(req));
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      return new AwsServiceError(
        AwsErrorName.unknownOperation,
        `Only POST / is served, got ${req.method} ${req.url}.`,
        404,
      );
    }
    if (!req.headers.authorization) {
      return new AwsServiceError(AwsErrorName.missingAuthenticationToken, 'Missing Authentication Token', 403);
    }
    return input;
  } catch (error) {
    return error instanceof AwsServiceError ? error : internalError();
  }
};

/**
 * Handles one request: `POST /` with `X-Amz-Target: secretsmanager.<Operation>`. The Authorization header must be
 * present (its SigV4 signature is not checked). Faults are decided once the protocol is satisfied: answer now (for
 * answer-now-process-later) → wait (latency, late landing) → an injected answer, or the operation → answer, or drop
 * after processing. Every call lands in the audit log once, when it is done.
 */
export const createSecretsManagerRequestHandler =
  (deps: SecretsManagerRequestHandlerDeps) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = deps.clock.now();
    const requestId = randomUuid(deps.random);
    const target = req.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : UNKNOWN_OPERATION;
    const read = await readInput(req);
    const input = read instanceof AwsServiceError ? {} : read;
    const plan =
      read instanceof AwsServiceError ? { latencyMs: 0, action: undefined } : deps.faults.plan({ operation });
    const { action } = plan;
    const record = (fields: Fields) =>
      deps.audit.record({
        at,
        operation,
        ...identifiersOf(input),
        ...fields,
        ...(plan.latencyMs > 0 ? { latencyMs: plan.latencyMs } : {}),
        ...(action === undefined ? {} : { fault: action.kind }),
      });
    if (read instanceof AwsServiceError) {
      const reply = errorReply(read);
      record({ ...replyFields(reply), outcome: 'error' });
      return send(res, requestId, reply);
    }

    const answered = action?.kind === 'answer-now-process-later' ? injectedReply(action.reply) : undefined;
    if (answered !== undefined) send(res, requestId, answered);
    const waitMs = plan.latencyMs + delayOf(action);
    if (waitMs > 0) await deps.sleep(waitMs);
    if (deps.closing.aborted || action?.kind === 'drop-before-processing') {
      if (answered !== undefined) record({ ...replyFields(answered), outcome: outcomeOf(answered) });
      else if (!deps.closing.aborted) record({ status: null, outcome: 'dropped-before-processing' });
      return dropConnection(req, res);
    }
    if (action?.kind === 'error' || action?.kind === 'raw') {
      const reply = injectedReply(action);
      record({ ...replyFields(reply), outcome: outcomeOf(reply) });
      return send(res, requestId, reply);
    }

    const reply = await processOperation(deps, operation, input, target);
    const processed = { ...replyFields(reply), processedAt: deps.clock.now() };
    if (action?.kind === 'drop-after-processing') {
      record({ ...processed, outcome: 'dropped-after-processing' });
      return dropConnection(req, res);
    }
    if (answered !== undefined) {
      return void record({ ...processed, outcome: 'processed-after-answer', answeredStatus: answered.status });
    }
    record({ ...processed, outcome: outcomeOf(reply) });
    send(res, requestId, reply);
  };
