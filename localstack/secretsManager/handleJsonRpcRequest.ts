import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from './AuditLog.ts';
import { AwsErrorName, AwsServiceError } from './awsErrors.ts';
import type { Clock } from './Clock.ts';
import type { FaultInjector, FaultKind } from './FaultInjector.ts';
import { type RandomSource, randomUuid } from './seededRandom.ts';
import type { WireObject } from './wireInput.ts';

export type OperationHandler = (input: WireObject) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface JsonRpcDeps {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  readonly faults: FaultInjector;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly sleep: (ms: number) => Promise<void>;
}

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

const send = (res: ServerResponse, status: number, requestId: string, body: unknown, errorType?: string): void => {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
    ...(errorType !== undefined ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
};

/**
 * AWS JSON 1.1 error: the SDK takes `__type` (then the `x-amzn-errortype` header) as `error.name`; the message goes in
 * both spellings because the SDK reads `message` and the error shapes declare `Message`.
 */
const sendError = (res: ServerResponse, requestId: string, error: AwsServiceError): void =>
  send(
    res,
    error.statusCode,
    requestId,
    { __type: error.name, message: error.message, Message: error.message },
    error.name,
  );

const dropConnection = (req: IncomingMessage, res: ServerResponse): void => {
  res.destroy();
  req.socket.destroy();
};

/**
 * Handles one request: `POST /` with `X-Amz-Target: secretsmanager.<Operation>`. The Authorization header must be
 * present (its SigV4 signature is not checked). Faults are applied here, around the operation, and every call lands
 * in the audit log.
 */
export const handleJsonRpcRequest = async (
  deps: JsonRpcDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const requestId = randomUuid(deps.random);
  const target = req.headers['x-amz-target'];
  const operation =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '(unknown)';
  let input: WireObject = {};
  let delayedMs = 0;
  let fault: FaultKind | undefined;

  const audit = (outcome: 'success' | 'error' | 'notProcessed', statusCode: number | undefined, errorName?: string) =>
    deps.audit.record({
      at: deps.clock.now(),
      operation,
      secretId: stringField(input, 'SecretId') ?? stringField(input, 'Name'),
      outcome,
      errorName,
      statusCode,
      fault,
      delayedMs,
      clientRequestToken: stringField(input, 'ClientRequestToken'),
      versionId: stringField(input, 'VersionId') ?? stringField(input, 'MoveToVersionId'),
      versionStage: stringField(input, 'VersionStage'),
    });

  const fail = (error: AwsServiceError): void => {
    audit('error', error.statusCode, error.name);
    sendError(res, requestId, error);
  };

  try {
    const body = await readBody(req);
    try {
      input = parseInput(body);
    } catch (error) {
      if (error instanceof AwsServiceError) return fail(error);
      throw error;
    }
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      return fail(
        new AwsServiceError(AwsErrorName.unknownOperation, `Only POST / is served, got ${req.method} ${req.url}.`, 404),
      );
    }
    if (!req.headers.authorization) {
      return fail(new AwsServiceError(AwsErrorName.missingAuthenticationToken, 'Missing Authentication Token', 403));
    }

    const plan = deps.faults.plan(operation);
    fault = plan.kind;
    if (plan.kind === 'dropRequest') {
      audit('notProcessed', undefined);
      return dropConnection(req, res);
    }
    if (plan.delayMs > 0) {
      delayedMs = plan.delayMs;
      await deps.sleep(plan.delayMs);
    }
    if (plan.kind === 'error' && plan.error !== undefined) {
      return fail(new AwsServiceError(plan.error.name, plan.error.message, plan.error.statusCode));
    }

    const handler = Object.hasOwn(deps.operations, operation) ? deps.operations[operation] : undefined;
    let status = 200;
    let responseBody: unknown;
    let errorName: string | undefined;
    if (handler === undefined) {
      const error = new AwsServiceError(AwsErrorName.unknownOperation, `Unknown operation ${String(target)}.`);
      status = error.statusCode;
      errorName = error.name;
      responseBody = { __type: error.name, message: error.message, Message: error.message };
    } else {
      try {
        responseBody = await handler(input);
      } catch (error) {
        const serviceError =
          error instanceof AwsServiceError
            ? error
            : new AwsServiceError(AwsErrorName.internalServiceError, 'An error occurred on the server side.', 500);
        status = serviceError.statusCode;
        errorName = serviceError.name;
        responseBody = { __type: serviceError.name, message: serviceError.message, Message: serviceError.message };
      }
    }
    if (plan.kind === 'dropResponse') {
      audit(errorName === undefined ? 'success' : 'error', undefined, errorName);
      return dropConnection(req, res);
    }
    audit(errorName === undefined ? 'success' : 'error', status, errorName);
    send(res, status, requestId, responseBody, errorName);
  } catch (error) {
    const serviceError =
      error instanceof AwsServiceError
        ? error
        : new AwsServiceError(AwsErrorName.internalServiceError, 'An error occurred on the server side.', 500);
    fail(serviceError);
  }
};
