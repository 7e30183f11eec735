import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { type Document, OpenAPIBackend, type Operation, ValidationContext } from 'openapi-backend';
import { parse } from 'yaml';

/**
 * Validates HTTP exchanges against Clerk's Backend API spec (bapi-2026-05-12.yml) with openapi-backend (Ajv).
 * Used by the emulator's contract tests and reusable for the requests our own Clerk client sends.
 */

export const CLERK_SPEC_URL = new URL('../../localstack/clerk/spec/bapi-2026-05-12.yml', import.meta.url);

/** The spec's server URL is https://api.clerk.com/v1; its paths are relative to that `/v1`. */
const BASE_PATH = '/v1';

export type ContractProblemKind =
  | 'base-path'
  | 'unknown-operation'
  | 'security'
  | 'content-type'
  | 'request'
  | 'undeclared-status'
  | 'response';

export interface ContractProblem {
  readonly kind: ContractProblemKind;
  /** Names the operation, the place and the rule; never the offending value (it may be a key). */
  readonly message: string;
}

export interface ContractRequest {
  readonly method: string;
  /** Path with `/v1` (as sent on the wire), optionally with a query string, or a full URL. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Header names in any case. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Raw body text or an already parsed value; undefined when no body was sent. */
  readonly body?: unknown;
}

export interface ContractResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Parsed JSON body. */
  readonly body: unknown;
  /** When given, the content type is checked against the media types the spec declares for the status. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

export interface OpenApiContractOptions {
  readonly specUrl?: URL;
  /**
   * Statuses accepted on operations that do not declare them, with the body still checked against
   * `components/schemas/ClerkErrors` (e.g. 401, 429, 5xx, which Clerk can answer on any path).
   * @default [] - every undeclared status is a problem
   */
  readonly allowUndeclaredStatuses?: readonly number[];
}

export interface OpenApiContract {
  validateRequest(request: ContractRequest): ContractProblem[];
  validateResponse(response: ContractResponse): ContractProblem[];
  /** The spec's operationId for a wire method and path, if any. */
  operationIdFor(method: string, path: string): string | undefined;
}

type JsonObject = Record<string, unknown>;

/**
 * OpenAPI 3.0 schema dialect that Ajv (JSON Schema draft 7) refuses to compile, rewritten to its JSON Schema meaning:
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` (3.0) become the numeric form (createM2MToken's
 *   `seconds_until_expiration`);
 * - `nullable: true` without a `type` (the M2M token `claims`) is dropped: a schema with no type already accepts null.
 * `readOnly`/`writeOnly` are annotations to Ajv and need nothing: a readOnly `secret` in a response is valid.
 */
const normalizeOas30ForAjv = (node: unknown): void => {
  if (Array.isArray(node)) {
    for (const item of node) normalizeOas30ForAjv(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as JsonObject;
  for (const [bound, exclusive] of [
    ['minimum', 'exclusiveMinimum'],
    ['maximum', 'exclusiveMaximum'],
  ] as const) {
    if (typeof schema[exclusive] !== 'boolean') continue;
    if (schema[exclusive] === true && typeof schema[bound] === 'number') {
      schema[exclusive] = schema[bound];
      delete schema[bound];
    } else {
      delete schema[exclusive];
    }
  }
  if (schema.nullable === true && schema.type === undefined) delete schema.nullable;
  for (const value of Object.values(schema)) normalizeOas30ForAjv(value);
};

const describeAjvError = (error: ErrorObject): string => {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return `${where} has unexpected property '${String(params.additionalProperty)}'`;
  if (error.keyword === 'required') return `${where} is missing required property '${String(params.missingProperty)}'`;
  return `${where} ${error.message ?? error.keyword}`;
};

const mediaType = (value: string | undefined): string => (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const lowerCaseHeaders = (headers: ContractRequest['headers']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
};

interface SplitPath {
  readonly specPath: string | undefined;
  readonly search: URLSearchParams;
}

const splitPath = (path: string): SplitPath => {
  const url = new URL(path, 'http://placeholder');
  const pathname = url.pathname;
  if (pathname !== BASE_PATH && !pathname.startsWith(`${BASE_PATH}/`))
    return { specPath: undefined, search: url.searchParams };
  return { specPath: pathname.slice(BASE_PATH.length) || '/', search: url.searchParams };
};

// Parsing the 20k-line YAML takes a second or two; contracts loaded in the same test file share one parse (each
// gets its own deep copy, since openapi-backend dereferences the document in place).
const parsedSpecs = new Map<string, Promise<JsonObject>>();

const loadNormalizedSpec = async (specUrl: URL): Promise<JsonObject> => {
  let parsed = parsedSpecs.get(specUrl.href);
  if (parsed === undefined) {
    parsed = readFile(specUrl, 'utf8').then((text) => {
      const document = parse(text) as JsonObject;
      normalizeOas30ForAjv(document);
      return document;
    });
    parsedSpecs.set(specUrl.href, parsed);
  }
  return structuredClone(await parsed);
};

export const loadOpenApiContract = async (options: OpenApiContractOptions = {}): Promise<OpenApiContract> => {
  const document = await loadNormalizedSpec(options.specUrl ?? CLERK_SPEC_URL);
  const api = new OpenAPIBackend({
    definition: document as unknown as Document,
    quick: true,
    validate: true,
    // Compiling validators dominates the cost on this spec: unoptimised code and no meta-schema pass make it ~8x
    // faster. The spec is a pinned file; the only dialect problems Ajv's meta-validation found are normalised above.
    ajvOpts: { allErrors: true, strict: false, code: { optimize: false }, validateSchema: false },
  });
  await api.init();
  const allowed = new Set(options.allowUndeclaredStatuses ?? []);
  const globalSecurity = (document.security as readonly JsonObject[] | undefined) ?? [];

  // openapi-backend's router rebuilds its operation list and regexes on every match (~5 ms on this 20k-line spec);
  // the same rule (exact path first, then the most specific template) is precompiled here once.
  const routes = (api.router.getOperations() as Operation[]).map((operation) => ({
    operation,
    method: operation.method.toLowerCase(),
    exact: operation.path,
    pattern: new RegExp(
      `^${operation.path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    ),
    specificity: operation.path.replace(/\{[^}]*\}/g, '').length,
  }));
  const matchOperation = (method: string, specPath: string): Operation | undefined => {
    const candidates = routes.filter((route) => route.method === method.toLowerCase());
    const exact = candidates.find((route) => route.exact === specPath);
    if (exact !== undefined) return exact.operation;
    const templated = candidates
      .filter((route) => route.pattern.test(specPath))
      .sort((a, b) => b.specificity - a.specificity);
    return templated[0]?.operation;
  };

  const resolve = (
    method: string,
    path: string,
  ): { operation: Operation; search: URLSearchParams; specPath: string } | ContractProblem => {
    const { specPath, search } = splitPath(path);
    if (specPath === undefined) {
      return {
        kind: 'base-path',
        message: `${method} ${new URL(path, 'http://x').pathname} is not under ${BASE_PATH}`,
      };
    }
    const operation = matchOperation(method, specPath);
    if (operation?.operationId === undefined) {
      return {
        kind: 'unknown-operation',
        message: `${method.toUpperCase()} ${specPath} is not an operation of the spec`,
      };
    }
    return { operation, search, specPath };
  };

  // For undeclared statuses: the ClerkErrors envelope, compiled with the Ajv options openapi-backend uses.
  const components = (api.definition as unknown as { components: { schemas: JsonObject } }).components;
  const errorsValidator = api.validator
    .getAjv(ValidationContext.Response)
    .compile(components.schemas.ClerkErrors as object);

  return {
    operationIdFor: (method, path) => {
      const resolved = resolve(method, path);
      return 'operation' in resolved ? resolved.operation.operationId : undefined;
    },

    validateRequest: (request) => {
      const resolved = resolve(request.method, request.path);
      if (!('operation' in resolved)) return [resolved];
      const { operation, search, specPath } = resolved;
      const id = operation.operationId as string;
      const problems: ContractProblem[] = [];
      const headers = lowerCaseHeaders(request.headers);

      const security = (operation.security as readonly JsonObject[] | undefined) ?? globalSecurity;
      const needsBearer = security.some((requirement) => 'bearerAuth' in requirement);
      if (needsBearer && !/^Bearer \S+$/i.test(headers.authorization ?? '')) {
        problems.push({ kind: 'security', message: `${id}: Authorization: Bearer <key> is required` });
      }

      const hasBody = request.body !== undefined && request.body !== '';
      const requestBody = operation.requestBody as { content?: JsonObject; required?: boolean } | undefined;
      if (hasBody && requestBody?.content !== undefined) {
        const declared = Object.keys(requestBody.content);
        if (!declared.includes(mediaType(headers['content-type']))) {
          problems.push({
            kind: 'content-type',
            message: `${id}: request Content-Type must be one of ${declared.join(', ')}`,
          });
        }
      }
      if (hasBody && requestBody === undefined) {
        problems.push({ kind: 'request', message: `${id}: the operation takes no request body` });
      }

      const query: Record<string, string | string[]> = Object.fromEntries(search);
      for (const [name, value] of Object.entries(request.query ?? {}))
        query[name] = Array.isArray(value) ? [...value] : (value as string);
      const result = api.validateRequest(
        {
          method: request.method.toLowerCase(),
          path: specPath,
          query,
          headers,
          ...(hasBody ? { body: request.body as string | JsonObject } : {}),
        },
        operation,
      );
      for (const error of result.errors ?? []) {
        problems.push({ kind: 'request', message: `${id}: ${describeAjvError(error)}` });
      }
      return problems;
    },

    validateResponse: (response) => {
      const resolved = resolve(response.method, response.path);
      if (!('operation' in resolved)) return [resolved];
      const { operation } = resolved;
      const id = operation.operationId as string;
      const responses = (operation.responses ?? {}) as Record<string, { content?: JsonObject }>;
      const declared =
        responses[String(response.status)] ?? responses[`${Math.floor(response.status / 100)}XX`] ?? responses.default;
      const problems: ContractProblem[] = [];

      if (declared === undefined) {
        if (!allowed.has(response.status)) {
          return [{ kind: 'undeclared-status', message: `${id}: status ${response.status} is not declared` }];
        }
        if (response.status >= 400 && !errorsValidator(response.body)) {
          for (const error of errorsValidator.errors ?? []) {
            problems.push({
              kind: 'response',
              message: `${id} ${response.status} (ClerkErrors): ${describeAjvError(error)}`,
            });
          }
        }
        return problems;
      }

      if (response.headers !== undefined && declared.content !== undefined) {
        const contentType = mediaType(lowerCaseHeaders(response.headers)['content-type']);
        const types = Object.keys(declared.content);
        if (!types.includes(contentType)) {
          problems.push({
            kind: 'content-type',
            message: `${id} ${response.status}: Content-Type must be one of ${types.join(', ')}`,
          });
        }
      }
      const result = api.validateResponse(response.body, operation, response.status);
      for (const error of result.errors ?? []) {
        problems.push({ kind: 'response', message: `${id} ${response.status}: ${describeAjvError(error)}` });
      }
      return problems;
    },
  };
};
