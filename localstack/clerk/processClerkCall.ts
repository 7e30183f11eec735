import type { Clock } from '../common/Clock.ts';
import type { Authentication } from './authenticate.ts';
import type { ClerkState } from './ClerkState.ts';
import { errorReply, jsonReply, type Reply, unexpectedErrorReply } from './clerkReplies.ts';
import {
  authenticationInvalid,
  authorizationInvalid,
  EmulatedClerkError,
  resourceNotFound,
  tooManyRequests,
} from './errors.ts';
import type { RouteMatch } from './matchRoute.ts';
import type { KeyRequirement } from './OperationSpec.ts';
import { operationTable } from './operationTable.ts';
import type { RateLimiter } from './rateLimiter.ts';
import { parseJsonObjectBody } from './requestBody.ts';

export interface ProcessDeps {
  readonly state: ClerkState;
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
}

/** A request as read off the wire, ready to be processed. */
export interface ClerkRequest {
  readonly route: RouteMatch | undefined;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly rawBody: Buffer;
}

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

/**
 * Processing proper: route → key check → rate limit → body → the operation's handler. Unknown paths, and spec paths
 * this emulator does not implement, answer 404 before any key check.
 */
export const processClerkCall = (deps: ProcessDeps, request: ClerkRequest, auth: Authentication): Reply => {
  try {
    const { route } = request;
    if (route === undefined) throw resourceNotFound('The requested resource does not exist in this Clerk emulator.');
    const spec = operationTable[route.operation];
    const principal = requireKey(spec.keys, auth);
    const decision = deps.rateLimiter.consume(rateLimitBucket(principal));
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
    const body =
      spec.body === 'none'
        ? {}
        : parseJsonObjectBody(request.rawBody, request.contentType, { required: spec.body === 'required' });
    const result = spec.handle({
      state: deps.state,
      now: Math.floor(deps.clock.now()),
      principal,
      pathId: route.pathId,
      query: request.query,
      body,
    });
    return jsonReply(result.status, result.body, result.machineId);
  } catch (error) {
    return error instanceof EmulatedClerkError ? errorReply(error) : unexpectedErrorReply();
  }
};
