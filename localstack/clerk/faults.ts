import { type ClerkOperation, resolveOperationName } from './clerkOperations.ts';
import { InvalidEmulatorOptionError } from './errors.ts';
import type { RandomSource } from './seededRandom.ts';

/**
 * Which calls a fault applies to:
 * - an operation name, ours or the spec's operationId ('rotateMachineSecretKey', 'GetMachineSecretKey', 'getM2MTokens');
 * - '*' for every call (including unrouted ones);
 * - `{ method?, path }`: `path` is a string (with or without `/v1`; `*` or `{name}` match one segment) or a RegExp
 *   tested against the full path including `/v1`.
 */
export type EndpointMatcher = string | { readonly method?: string; readonly path: string | RegExp };

export interface FaultTarget {
  readonly operation: ClerkOperation | undefined;
  readonly method: string;
  /** Full path without query string, including `/v1`. */
  readonly path: string;
}

/** What an injected fault does instead of (or after) normal processing. */
export type FaultAction =
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly code?: string;
      readonly retryAfterSeconds?: number;
    }
  | {
      readonly kind: 'raw';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body: string | Uint8Array;
    }
  | { readonly kind: 'drop-before-processing' }
  | { readonly kind: 'drop-after-processing' };

export interface FaultPlan {
  readonly latencyMs: number;
  readonly action: FaultAction | undefined;
}

export interface FaultHandle {
  /** How many calls this fault has hit so far. */
  readonly triggered: number;
  /** Calls it will still hit (Infinity for standing faults). */
  readonly remaining: number;
  remove(): void;
}

interface Rule {
  readonly matches: (target: FaultTarget) => boolean;
  readonly effect: { readonly kind: 'latency'; readonly ms: number } | FaultAction;
  readonly probability: number;
  remaining: number;
  triggered: number;
}

export type RandomFaultKind = '5xx' | '429' | 'drop-before-processing' | 'drop-after-processing' | 'latency';

const ANY = '*';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const pathPattern = (path: string): RegExp => {
  const segments = path
    .split('/')
    .map((segment) => (segment === '*' || /^\{[^}]+\}$/.test(segment) ? '[^/]+' : escapeRegExp(segment)));
  const specPath = segments.join('/');
  return new RegExp(`^(?:/v1)?${specPath}$`);
};

const compileMatcher = (matcher: EndpointMatcher): ((target: FaultTarget) => boolean) => {
  if (matcher === ANY) return () => true;
  if (typeof matcher === 'string') {
    const operation = resolveOperationName(matcher);
    return (target) => target.operation === operation;
  }
  const method = matcher.method?.toUpperCase();
  const regex = typeof matcher.path === 'string' ? pathPattern(matcher.path) : matcher.path;
  return (target) => (method === undefined || target.method === method) && regex.test(target.path);
};

const checkTimes = (times: number): number => {
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times >= 1))) {
    throw new InvalidEmulatorOptionError('times', `must be a positive integer or Infinity, got ${times}`);
  }
  return times;
};

const checkStatus = (status: number): number => {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new InvalidEmulatorOptionError('status', `must be an HTTP status code, got ${status}`);
  }
  return status;
};

/**
 * Programmatic fault injection. Terminal faults (error, raw, drops) are checked in the order they were added and
 * the first that matches (and whose dice roll hits, for random ones) is used and counted; latencies of every
 * matching latency fault add up. Injected faults are decided before authentication and do not count against the
 * rate limit, like failures in front of Clerk's API would.
 */
export class FaultInjector {
  readonly #random: RandomSource;
  readonly #rules: Rule[] = [];

  constructor(random: RandomSource) {
    this.#random = random;
  }

  #add(matcher: EndpointMatcher, effect: Rule['effect'], times: number, probability = 1): FaultHandle {
    const rule: Rule = {
      matches: compileMatcher(matcher),
      effect,
      probability,
      remaining: checkTimes(times),
      triggered: 0,
    };
    this.#rules.push(rule);
    return {
      get triggered() {
        return rule.triggered;
      },
      get remaining() {
        return rule.remaining;
      },
      remove: () => this.#remove(rule),
    };
  }

  #remove(rule: Rule): void {
    const index = this.#rules.indexOf(rule);
    if (index >= 0) this.#rules.splice(index, 1);
  }

  /** Answer the next `times` matching calls with `status` in Clerk's error envelope (429/503 get a Retry-After). */
  failNext(
    matcher: EndpointMatcher,
    opts: { status?: number; times?: number; code?: string; retryAfterSeconds?: number } = {},
  ): FaultHandle {
    const status = checkStatus(opts.status ?? 500);
    const retryAfterSeconds = opts.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    return this.#add(
      matcher,
      {
        kind: 'error',
        status,
        ...(opts.code === undefined ? {} : { code: opts.code }),
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
      opts.times ?? 1,
    );
  }

  /** Process the call (state changes) and then close the connection without a response: the lost-response case. */
  dropAfterProcessing(matcher: EndpointMatcher, opts: { times?: number } = {}): FaultHandle {
    return this.#add(matcher, { kind: 'drop-after-processing' }, opts.times ?? 1);
  }

  /** Close the connection before processing: no state change, no response. */
  dropBeforeProcessing(matcher: EndpointMatcher, opts: { times?: number } = {}): FaultHandle {
    return this.#add(matcher, { kind: 'drop-before-processing' }, opts.times ?? 1);
  }

  /**
   * Answer with exactly this status, headers and body, without processing (HTML error pages, empty bodies, wrong
   * content types, huge bodies). No content-type is added unless given.
   */
  respondWith(
    matcher: EndpointMatcher,
    opts: { status: number; body: string | Uint8Array; headers?: Readonly<Record<string, string>>; times?: number },
  ): FaultHandle {
    const action: FaultAction = {
      kind: 'raw',
      status: checkStatus(opts.status),
      body: opts.body,
      ...(opts.headers === undefined ? {} : { headers: opts.headers }),
    };
    return this.#add(matcher, action, opts.times ?? 1);
  }

  /** Delay matching calls by `ms` before processing; standing until removed unless `times` is given. */
  addLatency(matcher: EndpointMatcher, ms: number, opts: { times?: number } = {}): FaultHandle {
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidEmulatorOptionError('latency', `must be >= 0 ms, got ${ms}`);
    return this.#add(matcher, { kind: 'latency', ms }, opts.times ?? Number.POSITIVE_INFINITY);
  }

  /**
   * A standing fault that hits each matching call with probability `rate`, drawn from the emulator's seeded RNG:
   * '5xx' (status, default 503), '429' (with Retry-After), drops, or 'latency' (latencyMs).
   */
  randomly(opts: {
    rate: number;
    kind: RandomFaultKind;
    match?: EndpointMatcher;
    status?: number;
    retryAfterSeconds?: number;
    latencyMs?: number;
  }): FaultHandle {
    if (!(opts.rate >= 0 && opts.rate <= 1)) {
      throw new InvalidEmulatorOptionError('rate', `must be between 0 and 1, got ${opts.rate}`);
    }
    const matcher = opts.match ?? ANY;
    let effect: Rule['effect'];
    switch (opts.kind) {
      case '5xx': {
        const status = checkStatus(opts.status ?? 503);
        if (status < 500) throw new InvalidEmulatorOptionError('status', `must be 5xx for kind '5xx', got ${status}`);
        effect = {
          kind: 'error',
          status,
          ...(opts.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: opts.retryAfterSeconds }),
        };
        break;
      }
      case '429':
        effect = { kind: 'error', status: 429, retryAfterSeconds: opts.retryAfterSeconds ?? 1 };
        break;
      case 'latency':
        effect = { kind: 'latency', ms: opts.latencyMs ?? 1000 };
        break;
      default:
        effect = { kind: opts.kind };
    }
    return this.#add(matcher, effect, Number.POSITIVE_INFINITY, opts.rate);
  }

  /** Number of faults still armed. */
  get active(): number {
    return this.#rules.length;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Decides (and consumes) the faults for one call. */
  plan(target: FaultTarget): FaultPlan {
    let latencyMs = 0;
    let action: FaultAction | undefined;
    for (const rule of [...this.#rules]) {
      const isLatency = rule.effect.kind === 'latency';
      if (!isLatency && action !== undefined) continue;
      if (!rule.matches(target)) continue;
      if (rule.probability < 1 && this.#random() >= rule.probability) continue;
      rule.triggered += 1;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.#remove(rule);
      if (rule.effect.kind === 'latency') latencyMs += rule.effect.ms;
      else action = rule.effect;
    }
    return { latencyMs, action };
  }
}
