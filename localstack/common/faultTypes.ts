// The vocabulary of fault injection, the same for both emulators: what a fault does, the options each method takes.

/**
 * An error answer in the emulated service's own error format (Clerk's envelope, AWS's JSON error). Each emulator
 * fills in what is not given (see its FaultInjector.ts): the status, and a code that fits the status.
 */
export interface InjectedError {
  readonly kind: 'error';
  readonly status?: number;
  /** Clerk's `errors[0].code` (`service_unavailable`) or AWS's error name (`ThrottlingException`). */
  readonly code?: string;
  readonly message?: string;
  /** Sent as `Retry-After`. @default 1 for a 429, none otherwise */
  readonly retryAfterSeconds?: number;
}

/** Exactly this status, headers and body (HTML pages, empty or huge bodies); no content-type unless given. */
export interface InjectedRaw {
  readonly kind: 'raw';
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

export type InjectedReply = InjectedError | InjectedRaw;

/** What a fault does instead of (or around) normal processing; `kind` is what the audit log records as `fault`. */
export type FaultAction =
  | InjectedReply
  | { readonly kind: 'drop-before-processing' }
  | { readonly kind: 'drop-after-processing' }
  /** Processed `afterMs` after it arrived; answered then, if the client is still there. */
  | { readonly kind: 'land-late'; readonly afterMs: number }
  /** Answered at once with `reply`, processed `afterMs` later: a gateway that gave up but forwarded the request. */
  | { readonly kind: 'answer-now-process-later'; readonly afterMs: number; readonly reply: InjectedReply };

export type FaultKind = FaultAction['kind'];

export interface FaultPlan {
  /** Sum of the latencies of every matching latency fault, ms. */
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

export interface Times {
  /** How many matching calls the fault hits. */
  readonly times?: number;
}

export type FailOptions = Omit<InjectedError, 'kind'> & Times;
export type RespondOptions = Omit<InjectedRaw, 'kind'> & Times;
export interface LandLateOptions extends Times {
  /** Real milliseconds between the request's arrival and its processing. */
  readonly afterMs: number;
}
/** The answer is Clerk's/AWS's error format unless `body` is given (then exactly `status`, `headers`, `body`). */
export interface AnswerNowOptions extends Omit<InjectedError, 'kind' | 'status'>, LandLateOptions {
  /** @default 504 */
  readonly status?: number;
  readonly body?: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RandomFaultKind = 'error' | '5xx' | '429' | 'drop-before-processing' | 'drop-after-processing' | 'latency';

export interface RandomFaultOptions<Matcher> extends Omit<InjectedError, 'kind'> {
  /** Probability of hitting each matching call, drawn from the emulator's seeded RNG. */
  readonly rate: number;
  /** 'error' (status/code as failNext), '5xx' (default 503), '429', a drop, or 'latency'. */
  readonly kind: RandomFaultKind;
  /** @default '*' */
  readonly match?: Matcher | '*';
  /** For 'latency': fixed, or uniform in [min, max]. @default 1000 */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
}
