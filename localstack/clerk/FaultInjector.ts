import { FaultInjector as SharedFaultInjector } from '../common/FaultInjector.ts';
import type { RandomSource } from '../common/seededRandom.ts';
import { type ClerkOperation, resolveOperationName } from './clerkOperations.ts';

/**
 * Which calls a fault applies to:
 * - an operation name, ours or the spec's operationId ('rotateMachineSecretKey', 'GetMachineSecretKey', 'getM2MTokens');
 *   an unknown name throws, so a typo cannot silently never match;
 * - '*' for every call (including unrouted ones);
 * - `{ method?, path }`: `path` is a string (with or without `/v1`; `*` or `{name}` match one segment) or a RegExp
 *   tested against the full path including `/v1`.
 */
export type EndpointMatcher = string | { readonly method?: string; readonly path: string | RegExp };

/** What a matcher sees of a call. */
export interface FaultTarget {
  readonly operation: ClerkOperation | undefined;
  readonly method: string;
  /** Full path without query string, including `/v1`. */
  readonly path: string;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const pathPattern = (path: string): RegExp => {
  const segments = path
    .split('/')
    .map((segment) => (segment === '*' || /^\{[^}]+\}$/.test(segment) ? '[^/]+' : escapeRegExp(segment)));
  return new RegExp(`^(?:/v1)?${segments.join('/')}$`);
};

const compileMatcher = (matcher: EndpointMatcher): ((target: FaultTarget) => boolean) => {
  if (typeof matcher === 'string') {
    const operation = resolveOperationName(matcher);
    return (target) => target.operation === operation;
  }
  const method = matcher.method?.toUpperCase();
  const regex = typeof matcher.path === 'string' ? pathPattern(matcher.path) : matcher.path;
  return (target) => (method === undefined || target.method === method) && regex.test(target.path);
};

/**
 * The shared fault-injection API (failNext, respondWith, dropBeforeProcessing, dropAfterProcessing, addLatency,
 * landLate, answerNowProcessLater, randomly) with Clerk's matchers. Injected errors use Clerk's envelope: status
 * default 500, code `service_unavailable` for 503, `too_many_requests` for 429, else `internal_clerk_error`.
 */
export class FaultInjector extends SharedFaultInjector<EndpointMatcher, FaultTarget> {
  constructor(random: RandomSource) {
    super(random, compileMatcher);
  }
}
