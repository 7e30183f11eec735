import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock, Sleep } from '../../lib/Clock.ts';

/** What moves a manual clock: the local stack's, shared by both emulators. */
export interface AdvanceableClock extends Clock {
  advance(ms: number): void;
}

export interface QuiescentTime {
  readonly clock: Clock;
  /** Waits in the clock's time: resolves when time has been moved to `now + ms`. */
  readonly sleep: Sleep;
  /** `fetch` whose calls (body included) count as work in flight. */
  readonly fetch: typeof fetch;
  /** Counts the client's calls as work in flight (an SDK middleware). */
  track(client: SecretsManagerClient): void;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

/**
 * Simulated time that moves only when nothing is in flight: while any call (fetch or a tracked SDK client) is
 * running, the clock stands still; once all work waits, it jumps to the earliest wake-up and wakes those sleepers. A
 * paced call then reaches the emulator at exactly the time its pacer gave it, however many callers run at once — the
 * zero-latency view of the pacing. (LocalStack.verify() moves the clock at the start of each wait instead, so with 8
 * secrets in flight a call is stamped up to 8 gaps after its slot.)
 */
export function createQuiescentTime(clock: AdvanceableClock): QuiescentTime {
  const sleepers: Sleeper[] = [];
  let inFlight = 0;
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    if (inFlight > 0 || sleepers.length === 0) return;
    sleepers.sort((a, b) => a.at - b.at);
    const at = (sleepers[0] as Sleeper).at;
    if (at > clock.now()) clock.advance(at - clock.now());
    while (sleepers.length > 0 && (sleepers[0] as Sleeper).at <= clock.now()) sleepers.shift()?.wake();
  };
  // A macrotask later: every microtask of the callers has run, so a woken caller has started its next call.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(tick);
  };
  const during = async <T>(work: () => Promise<T>): Promise<T> => {
    inFlight += 1;
    try {
      return await work();
    } finally {
      inFlight -= 1;
      if (inFlight === 0) schedule();
    }
  };
  return {
    clock,
    sleep: (ms) =>
      new Promise<void>((wake) => {
        sleepers.push({ at: clock.now() + Math.max(0, ms), wake });
        schedule();
      }),
    fetch: (input, init) =>
      during(async () => {
        const response = await globalThis.fetch(input, init);
        const body = await response.arrayBuffer();
        const { status, statusText, headers } = response;
        return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText, headers });
      }),
    track(client) {
      client.middlewareStack.add((next) => (args) => during(() => next(args)), {
        step: 'initialize',
        name: 'benchQuiescentTime',
      });
    },
  };
}
