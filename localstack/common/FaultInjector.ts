import { InvalidEmulatorOptionError } from './errors.ts';
import type {
  AnswerNowOptions,
  FailOptions,
  FaultAction,
  FaultHandle,
  FaultPlan,
  InjectedError,
  InjectedRaw,
  LandLateOptions,
  RandomFaultOptions,
  RespondOptions,
  Times,
} from './faultTypes.ts';
import type { RandomSource } from './seededRandom.ts';

type Latency = { readonly kind: 'latency'; readonly ms: number | { readonly min: number; readonly max: number } };

interface Rule<Target> {
  readonly matches: (target: Target) => boolean;
  /** Rules naming calls specifically are checked before rules for '*'. */
  readonly wildcard: boolean;
  readonly effect: Latency | FaultAction;
  readonly probability: number;
  remaining: number;
  triggered: number;
}

const WILDCARD = '*';

const checkTimes = (times: number): number => {
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times >= 1))) {
    throw new InvalidEmulatorOptionError('times', `must be a positive integer or Infinity, got ${times}`);
  }
  return times;
};

const checkStatus = (status: number | undefined): void => {
  if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) {
    throw new InvalidEmulatorOptionError('status', `must be an HTTP status code, got ${status}`);
  }
};

const checkMs = (option: string, ms: number): number => {
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidEmulatorOptionError(option, `must be >= 0 ms, got ${ms}`);
  return ms;
};

const injectedError = (opts: Omit<InjectedError, 'kind'>): InjectedError => {
  checkStatus(opts.status);
  const retryAfterSeconds = opts.retryAfterSeconds ?? (opts.status === 429 ? 1 : undefined);
  return {
    kind: 'error',
    ...(opts.status === undefined ? {} : { status: opts.status }),
    ...(opts.code === undefined ? {} : { code: opts.code }),
    ...(opts.message === undefined ? {} : { message: opts.message }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
};

const injectedRaw = (opts: Omit<InjectedRaw, 'kind'>): InjectedRaw => {
  checkStatus(opts.status);
  return {
    kind: 'raw',
    status: opts.status,
    body: opts.body,
    ...(opts.headers === undefined ? {} : { headers: opts.headers }),
  };
};

const randomEffect = <Matcher>(opts: RandomFaultOptions<Matcher>): Latency | FaultAction => {
  const { rate: _rate, kind, match: _match, latencyMs, ...error } = opts;
  switch (kind) {
    case '5xx': {
      const status = error.status ?? 503;
      checkStatus(status);
      if (status < 500) throw new InvalidEmulatorOptionError('status', `must be 5xx for kind '5xx', got ${status}`);
      return injectedError({ ...error, status });
    }
    case '429':
      return injectedError({ ...error, status: 429 });
    case 'error':
      return injectedError(error);
    case 'latency': {
      const ms = latencyMs ?? 1000;
      if (typeof ms === 'number') checkMs('latencyMs', ms);
      else if (checkMs('latencyMs.max', ms.max) < checkMs('latencyMs.min', ms.min)) {
        throw new InvalidEmulatorOptionError('latencyMs', `min must not exceed max, got ${ms.min} > ${ms.max}`);
      }
      return { kind: 'latency', ms };
    }
    default:
      return { kind };
  }
};

/**
 * Programmatic fault injection, the same for both emulators (each supplies what a matcher means). A call takes the
 * first terminal fault that matches it (and whose dice roll hits, for random ones): faults for specific calls first,
 * then faults for '*', each group in the order added; the latencies of every matching latency fault add up. A fault
 * with `times` is used up after that many hits. Faults are decided when a request arrives, before authentication,
 * and do not count against a rate limit, like failures in front of the service would.
 */
export class FaultInjector<Matcher, Target> {
  readonly #random: RandomSource;
  readonly #compile: (matcher: Matcher) => (target: Target) => boolean;
  readonly #rules: Rule<Target>[] = [];

  /** `compile` turns a matcher (never '*') into a predicate over the emulator's description of a call. */
  constructor(random: RandomSource, compile: (matcher: Matcher) => (target: Target) => boolean) {
    this.#random = random;
    this.#compile = compile;
  }

  /** Answer the next `times` (default 1) matching calls with an error in the service's format, unprocessed. */
  failNext(matcher: Matcher | '*', opts: FailOptions = {}): FaultHandle {
    return this.#add(matcher, injectedError(opts), opts.times ?? 1);
  }

  /** Answer with exactly this status, headers and body, without processing. */
  respondWith(matcher: Matcher | '*', opts: RespondOptions): FaultHandle {
    return this.#add(matcher, injectedRaw(opts), opts.times ?? 1);
  }

  /** Process the call, then close the connection without a response: the lost-response case. */
  dropAfterProcessing(matcher: Matcher | '*', opts: Times = {}): FaultHandle {
    return this.#add(matcher, { kind: 'drop-after-processing' }, opts.times ?? 1);
  }

  /** Close the connection before processing: no state change, no response. */
  dropBeforeProcessing(matcher: Matcher | '*', opts: Times = {}): FaultHandle {
    return this.#add(matcher, { kind: 'drop-before-processing' }, opts.times ?? 1);
  }

  /** Delay matching calls by `ms` (real time) before processing; standing until removed unless `times` is given. */
  addLatency(matcher: Matcher | '*', ms: number, opts: Times = {}): FaultHandle {
    return this.#add(matcher, { kind: 'latency', ms: checkMs('latency', ms) }, opts.times ?? Number.POSITIVE_INFINITY);
  }

  /**
   * A late landing: the call is processed `afterMs` (real time) after it arrived, whether or not its client still
   * waits, and answered then if it does. A client with a shorter timeout has given up on a call that still lands.
   */
  landLate(matcher: Matcher | '*', opts: LandLateOptions): FaultHandle {
    return this.#add(matcher, { kind: 'land-late', afterMs: checkMs('afterMs', opts.afterMs) }, opts.times ?? 1);
  }

  /**
   * Answer now, process later: the client gets `status` (default 504) at once — in the service's error format, or
   * exactly `body` — and the call is processed `afterMs` (real time) later, as if a gateway had timed out but
   * forwarded it.
   */
  answerNowProcessLater(matcher: Matcher | '*', opts: AnswerNowOptions): FaultHandle {
    const { afterMs, times, body, headers, status = 504, ...error } = opts;
    const reply =
      body === undefined
        ? injectedError({ ...error, status })
        : injectedRaw({ status, body, ...(headers === undefined ? {} : { headers }) });
    const action: FaultAction = { kind: 'answer-now-process-later', afterMs: checkMs('afterMs', afterMs), reply };
    return this.#add(matcher, action, times ?? 1);
  }

  /** A standing fault that hits each matching call with probability `rate`, drawn from the emulator's seeded RNG. */
  randomly(opts: RandomFaultOptions<Matcher>): FaultHandle {
    if (!(opts.rate >= 0 && opts.rate <= 1)) {
      throw new InvalidEmulatorOptionError('rate', `must be between 0 and 1, got ${opts.rate}`);
    }
    return this.#add(opts.match ?? WILDCARD, randomEffect(opts), Number.POSITIVE_INFINITY, opts.rate);
  }

  /** Number of faults still armed. */
  get active(): number {
    return this.#rules.length;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Decides (and consumes) the faults for one call. */
  plan(target: Target): FaultPlan {
    let latencyMs = 0;
    let action: FaultAction | undefined;
    const ordered = [...this.#rules.filter((r) => !r.wildcard), ...this.#rules.filter((r) => r.wildcard)];
    for (const rule of ordered) {
      const isLatency = rule.effect.kind === 'latency';
      if (!isLatency && action !== undefined) continue;
      if (!rule.matches(target)) continue;
      if (rule.probability < 1 && this.#random() >= rule.probability) continue;
      rule.triggered += 1;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.#remove(rule);
      if (rule.effect.kind === 'latency') latencyMs += this.#latencyOf(rule.effect);
      else action = rule.effect;
    }
    return { latencyMs, action };
  }

  #latencyOf(latency: Latency): number {
    const { ms } = latency;
    return typeof ms === 'number' ? ms : ms.min + Math.floor(this.#random() * (ms.max - ms.min + 1));
  }

  #add(matcher: Matcher | '*', effect: Rule<Target>['effect'], times: number, probability = 1): FaultHandle {
    const wildcard = matcher === WILDCARD;
    const rule: Rule<Target> = {
      matches: wildcard ? () => true : this.#compile(matcher as Matcher),
      wildcard,
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

  #remove(rule: Rule<Target>): void {
    const index = this.#rules.indexOf(rule);
    if (index >= 0) this.#rules.splice(index, 1);
  }
}
