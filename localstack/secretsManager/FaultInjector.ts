import { SimulatedError } from './awsErrors.ts';
import type { RandomSource } from './seededRandom.ts';

/** An operation name such as `GetSecretValue`, or `*` for every operation. */
export type FaultSelector = string;

export type FaultKind =
  /** Answer with an error instead of processing. */
  | 'error'
  /** Close the connection before processing: the call had no effect. */
  | 'dropRequest'
  /** Process the call, then close the connection without answering: a lost response. */
  | 'dropResponse';

export interface InjectedError {
  /** Becomes `error.name` in the SDK, e.g. `InternalServiceError`, `ThrottlingException`. */
  readonly name: string;
  /** @default 400, or 500 for InternalServiceError */
  readonly statusCode?: number;
  readonly message?: string;
}

export interface FaultPlan {
  readonly delayMs: number;
  readonly kind: FaultKind | undefined;
  readonly error: Required<InjectedError> | undefined;
}

export interface RandomFaultRule {
  /** Probability of answering with `error`. */
  readonly errorRate?: number;
  /** @default InternalServiceError (500) */
  readonly error?: InjectedError;
  readonly dropRequestRate?: number;
  readonly dropResponseRate?: number;
  /** Extra latency on every matching call, fixed or uniform in [min, max]. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
}

interface QueuedFault {
  remaining: number;
  readonly kind: FaultKind;
  readonly error: Required<InjectedError> | undefined;
}

interface LatencyRule {
  remaining: number;
  readonly ms: number;
}

const completeError = (error: InjectedError): Required<InjectedError> => ({
  name: error.name,
  statusCode: error.statusCode ?? (error.name === SimulatedError.internal.name ? 500 : 400),
  message: error.message ?? `Injected ${error.name}`,
});

const checkCount = (count: number): void => {
  if (!(count > 0)) throw new RangeError(`count must be positive, got ${count}`);
};

const checkRate = (name: string, rate: number | undefined): void => {
  if (rate !== undefined && !(rate >= 0 && rate <= 1))
    throw new RangeError(`${name} must be within [0, 1], got ${rate}`);
};

/**
 * Test-controlled failures, decided per call: one-shot faults queued per operation (first in, first out; the
 * operation's own queue before `*`), latency rules, and seeded probabilistic faults that replay exactly per seed.
 */
export class FaultInjector {
  readonly #random: RandomSource;
  readonly #queues = new Map<FaultSelector, QueuedFault[]>();
  readonly #latency = new Map<FaultSelector, LatencyRule[]>();
  readonly #randomRules = new Map<FaultSelector, RandomFaultRule>();

  constructor(random: RandomSource) {
    this.#random = random;
  }

  /** The next `count` calls of `selector` fail with `error` (default InternalServiceError, 500). */
  failNext(selector: FaultSelector, count = 1, error: InjectedError = SimulatedError.internal): this {
    checkCount(count);
    return this.#enqueue(selector, { remaining: count, kind: 'error', error: completeError(error) });
  }

  /** The next `count` calls of `selector` are processed, then the connection closes without a response. */
  dropResponseNext(selector: FaultSelector, count = 1): this {
    checkCount(count);
    return this.#enqueue(selector, { remaining: count, kind: 'dropResponse', error: undefined });
  }

  /** The next `count` calls of `selector` are cut off before processing. */
  dropRequestNext(selector: FaultSelector, count = 1): this {
    checkCount(count);
    return this.#enqueue(selector, { remaining: count, kind: 'dropRequest', error: undefined });
  }

  /** Adds `ms` of latency to the next `count` calls of `selector` (default: every call until cleared). */
  addLatency(selector: FaultSelector, ms: number, count = Number.POSITIVE_INFINITY): this {
    if (!(ms >= 0)) throw new RangeError(`latency must be non-negative, got ${ms}`);
    checkCount(count);
    const rules = this.#latency.get(selector) ?? [];
    rules.push({ remaining: count, ms });
    this.#latency.set(selector, rules);
    return this;
  }

  /** Probabilistic faults for `selector`, drawn from the emulator's seeded RNG. Replaces an earlier rule. */
  setRandomFaults(selector: FaultSelector, rule: RandomFaultRule | undefined): this {
    if (rule === undefined) {
      this.#randomRules.delete(selector);
      return this;
    }
    checkRate('errorRate', rule.errorRate);
    checkRate('dropRequestRate', rule.dropRequestRate);
    checkRate('dropResponseRate', rule.dropResponseRate);
    const total = (rule.errorRate ?? 0) + (rule.dropRequestRate ?? 0) + (rule.dropResponseRate ?? 0);
    if (total > 1) throw new RangeError(`the fault rates add up to ${total}, more than 1`);
    this.#randomRules.set(selector, rule);
    return this;
  }

  /** Removes every queued, latency and random fault. */
  clear(): void {
    this.#queues.clear();
    this.#latency.clear();
    this.#randomRules.clear();
  }

  /** Decides what happens to one call of `operation`, consuming one-shot faults. */
  plan(operation: string): FaultPlan {
    const delayMs = this.#takeLatency(operation) + this.#takeLatency('*') + this.#randomLatency(operation);
    const queued = this.#takeQueued(operation) ?? this.#takeQueued('*');
    if (queued !== undefined) return { delayMs, kind: queued.kind, error: queued.error };
    const rule = this.#randomRules.get(operation) ?? this.#randomRules.get('*');
    if (rule !== undefined) {
      const roll = this.#random();
      const errorRate = rule.errorRate ?? 0;
      const dropRequestRate = rule.dropRequestRate ?? 0;
      const dropResponseRate = rule.dropResponseRate ?? 0;
      if (roll < errorRate) {
        return { delayMs, kind: 'error', error: completeError(rule.error ?? SimulatedError.internal) };
      }
      if (roll < errorRate + dropRequestRate) return { delayMs, kind: 'dropRequest', error: undefined };
      if (roll < errorRate + dropRequestRate + dropResponseRate) {
        return { delayMs, kind: 'dropResponse', error: undefined };
      }
    }
    return { delayMs, kind: undefined, error: undefined };
  }

  #enqueue(selector: FaultSelector, fault: QueuedFault): this {
    const queue = this.#queues.get(selector) ?? [];
    queue.push(fault);
    this.#queues.set(selector, queue);
    return this;
  }

  #takeQueued(selector: FaultSelector): QueuedFault | undefined {
    const queue = this.#queues.get(selector);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head;
  }

  #takeLatency(selector: FaultSelector): number {
    const rules = this.#latency.get(selector);
    if (rules === undefined) return 0;
    let total = 0;
    for (const rule of rules) {
      total += rule.ms;
      rule.remaining -= 1;
    }
    this.#latency.set(
      selector,
      rules.filter((rule) => rule.remaining > 0),
    );
    return total;
  }

  #randomLatency(operation: string): number {
    const latency = (this.#randomRules.get(operation) ?? this.#randomRules.get('*'))?.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return latency;
    return latency.min + Math.floor(this.#random() * (latency.max - latency.min + 1));
  }
}
