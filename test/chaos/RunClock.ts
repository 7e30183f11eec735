import type { LocalStack } from '../../localstack/startLocalStack.ts';

/** A Clerk rotate the run holds (its client gave up, or a gateway answered) and lands itself at `at`. */
export interface HeldRotate {
  readonly at: number;
  readonly token: string;
  readonly beyondHorizon: boolean;
}

export interface ClockEvents {
  /** Lands a held rotate (the clock stands at its time). */
  land(rotate: HeldRotate): Promise<void>;
  /** A verification tick: the scheduled verification is due (the clock stands at the tick, or later if deferred). */
  tick(): Promise<void>;
}

/**
 * The run's time: the stack's manual clock, with the events that belong to it — held rotates landing and the
 * scheduled verification's ticks — happening at their own moments, in order, whichever way the clock is moved. A
 * jump between actions stops at each event on the way; a jump inside an invocation (a stall, from a hook) lands
 * rotates on the way but defers the verification to the end of the action (it would otherwise run inside the
 * invocation). The verification's own pacing moves the clock too; `catchUp` handles what that passed.
 */
export class RunClock {
  readonly #stack: LocalStack;
  readonly #events: ClockEvents;
  readonly #intervalMs: number;
  #nextTickAt: number;
  #held: HeldRotate[] = [];
  #tickDeferred = false;

  constructor(stack: LocalStack, events: ClockEvents, intervalMs: number) {
    this.#stack = stack;
    this.#events = events;
    this.#intervalMs = intervalMs;
    this.#nextTickAt = stack.clock.now() + intervalMs;
  }

  now(): number {
    return this.#stack.clock.now();
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Held rotates not landed yet. */
  get held(): readonly HeldRotate[] {
    return this.#held;
  }

  hold(rotate: HeldRotate): void {
    this.#held.push(rotate);
    this.#held.sort((a, b) => a.at - b.at);
  }

  /** Moves the clock by `ms`, landing held rotates and (unless `inHook`) running verification ticks on the way. */
  async advance(ms: number, options: { readonly inHook?: boolean } = {}): Promise<void> {
    const target = this.now() + ms;
    for (;;) {
      const landing = this.#held[0]?.at ?? Number.POSITIVE_INFINITY;
      const tick = options.inHook ? Number.POSITIVE_INFINITY : this.#nextTickAt;
      const next = Math.min(landing, tick);
      if (next > target) break;
      this.#moveTo(next);
      await this.#processDue(options.inHook === true);
    }
    this.#moveTo(target);
    await this.#processDue(options.inHook === true);
  }

  /** Processes what the clock has passed without the run moving it (deferred ticks, the verification's pacing). */
  async catchUp(): Promise<void> {
    await this.#processDue(false);
  }

  /** Moves to the next verification tick (or held landing, if earlier) and processes it. */
  async advanceToNextEvent(): Promise<void> {
    const next = Math.min(this.#held[0]?.at ?? Number.POSITIVE_INFINITY, this.#nextTickAt);
    await this.advance(Math.max(0, next - this.now()));
  }

  #moveTo(at: number): void {
    const ms = at - this.now();
    if (ms > 0) this.#stack.clock.advance?.(ms);
  }

  async #processDue(inHook: boolean): Promise<void> {
    for (let rotate = this.#held[0]; rotate !== undefined && rotate.at <= this.now(); rotate = this.#held[0]) {
      this.#held.shift();
      await this.#events.land(rotate);
    }
    if (this.#nextTickAt > this.now() && !this.#tickDeferred) return;
    if (inHook) {
      this.#tickDeferred = this.#tickDeferred || this.#nextTickAt <= this.now();
      return;
    }
    // Ticks the clock passed together make one run: nothing but time passed between them.
    while (this.#nextTickAt <= this.now()) this.#nextTickAt += this.#intervalMs;
    this.#tickDeferred = false;
    await this.#events.tick();
    // The verification's pacing may have moved the clock past held landings.
    for (let rotate = this.#held[0]; rotate !== undefined && rotate.at <= this.now(); rotate = this.#held[0]) {
      this.#held.shift();
      await this.#events.land(rotate);
    }
  }
}
