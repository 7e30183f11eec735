import type { Clock } from '../../lib/Clock.ts';

/**
 * One time line for every thread of the fleet: stack time = `stackEpochMs` + (real time − `realEpochMs`) × `scale`.
 * The Clerk emulator's thread reads it directly; each shard's local stack runs a manual clock driven `scale`× faster
 * than real time (startLocalStack's `timeScale`), which `alignStackClock` moves onto the same line once, so that
 * Clerk's clock and every rotation function's clock agree. `scale` undefined: the threads use the system clock.
 */
export interface SharedTime {
  readonly realEpochMs: number;
  readonly stackEpochMs: number;
  readonly scale: number | undefined;
}

/** Real time in ms since the Unix epoch with sub-millisecond resolution, the same in every thread. */
export const realNow = (): number => performance.timeOrigin + performance.now();

/** Stack time now on the shared line. */
export function sharedStackNow(time: SharedTime): number {
  return time.stackEpochMs + (realNow() - time.realEpochMs) * (time.scale ?? 1);
}

/** The Clerk thread's clock: the shared line itself, or the system clock. */
export function createSharedClock(time: SharedTime): Clock {
  if (time.scale === undefined) return { now: () => Date.now() };
  return { now: () => sharedStackNow(time) };
}

/**
 * Moves a driven manual clock forward onto the shared line (a manual clock never runs backwards, so the line starts
 * ahead of any stack's own start: `stackEpochMs` is hours after startLocalStack's fixed start).
 */
export function alignStackClock(clock: Clock & { advance?(ms: number): void }, time: SharedTime): void {
  if (time.scale === undefined || clock.advance === undefined) return;
  const behindMs = sharedStackNow(time) - clock.now();
  if (behindMs < 0) throw new Error(`the stack's clock is ${-behindMs} ms ahead of the shared time line`);
  clock.advance(behindMs);
}
