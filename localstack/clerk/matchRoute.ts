import type { ClerkOperation } from './clerkOperations.ts';

export interface RouteMatch {
  readonly operation: ClerkOperation;
  /** `machine_id` or `m2m_token_id` from the path, when the route has one. */
  readonly pathId: string | undefined;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly operation: ClerkOperation;
}

// Path parameters match one non-empty segment; their format is checked by the handler so that a malformed id gets
// the status the spec lists for that path (404 for machines, 400 for m2m token ids) rather than a routing miss.
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/machines$/, operation: 'listMachines' },
  { method: 'POST', pattern: /^\/machines$/, operation: 'createMachine' },
  { method: 'GET', pattern: /^\/machines\/([^/]+)$/, operation: 'getMachine' },
  { method: 'DELETE', pattern: /^\/machines\/([^/]+)$/, operation: 'deleteMachine' },
  { method: 'GET', pattern: /^\/machines\/([^/]+)\/secret_key$/, operation: 'getMachineSecretKey' },
  { method: 'POST', pattern: /^\/machines\/([^/]+)\/secret_key\/rotate$/, operation: 'rotateMachineSecretKey' },
  { method: 'POST', pattern: /^\/m2m_tokens$/, operation: 'createM2MToken' },
  { method: 'GET', pattern: /^\/m2m_tokens$/, operation: 'listM2MTokens' },
  { method: 'POST', pattern: /^\/m2m_tokens\/verify$/, operation: 'verifyM2MToken' },
  { method: 'POST', pattern: /^\/m2m_tokens\/([^/]+)\/revoke$/, operation: 'revokeM2MToken' },
];

export const API_BASE_PATH = '/v1';

/** Maps `METHOD /v1/...` to an implemented operation; `undefined` for anything else (answered with a 404). */
export const matchRoute = (method: string, pathname: string): RouteMatch | undefined => {
  if (!pathname.startsWith(`${API_BASE_PATH}/`)) return undefined;
  const specPath = pathname.slice(API_BASE_PATH.length);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(specPath);
    if (match === null) continue;
    const raw = match[1];
    let pathId: string | undefined;
    if (raw !== undefined) {
      try {
        pathId = decodeURIComponent(raw);
      } catch {
        pathId = raw;
      }
    }
    return { operation: route.operation, pathId };
  }
  return undefined;
};
