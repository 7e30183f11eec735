import fc from 'fast-check';
import type { RotationStep } from '../../lib/constants.ts';

/**
 * The vocabulary of a chaos schedule (docs/decisions/005-chaos-and-fleet-testing.md). Everything that happens "at
 * call+N" happens right before the rotation function's (N+1)-th outbound call (to Secrets Manager or Clerk) counted
 * from the moment the action runs; the stack's `beforeFunctionCall` hook fires it, so a fault hits exactly that call
 * whichever invocation makes it.
 */

/**
 * What a fault does to the one call it hits (see `armFault` for how each maps onto both emulators): `timeout` — the
 * client gives up and the call is never processed; `late` — the client gives up and the call is processed
 * `landAfterMs` later; `gateway` — a gateway answers 504 at once and forwards the call `landAfterMs` later.
 */
export const FAULT_KINDS = ['fail', 'reset', 'lost', 'throttle', 'garbled', 'timeout', 'late', 'gateway'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type DuplicateMode = 'sequential' | 'concurrent';

export type Action =
  /** RotateSecret, RotateImmediately=true, a fresh token (a schedule, or an operator's `clerk-rotator rotate`). */
  | { readonly type: 'rotate' }
  /** RotateSecret with RotateImmediately=false: testSecret alone, against a copy of AWSCURRENT. */
  | { readonly type: 'testOnly' }
  /**
   * Secrets Manager re-attempts the unfinished rotation (no-op when none is pending) `afterMs` later: the four steps
   * in order for the AWSPENDING token, stopping at the first failure; `twice` delivers one step twice, one after the
   * other or both at once.
   */
  | {
      readonly type: 'reattempt';
      readonly afterMs: number;
      readonly twice?: { readonly step: RotationStep; readonly mode: DuplicateMode } | undefined;
    }
  /**
   * The function's call at call+`at` — or, for `at: 'rotate'`, its next rotate at Clerk — fails with `kind`; `late`
   * and `gateway` land `landAfterMs` later.
   */
  | {
      readonly type: 'fault';
      readonly at: number | 'rotate';
      readonly kind: FaultKind;
      readonly landAfterMs?: number | undefined;
    }
  /** An operator rotates the key in Clerk's dashboard, now or at call+`at` (in the middle of a rotation). */
  | { readonly type: 'dashboard'; readonly ttlSeconds: number; readonly at?: number | undefined }
  /** An operator removes AWSPENDING by hand (the runbook's recovery for a stuck rotation), now or at call+`at`. */
  | { readonly type: 'removePending'; readonly at?: number | undefined }
  /** The clock jumps, now or at call+`at` (a Lambda stalled mid-invocation: its deadline passes). */
  | { readonly type: 'advance'; readonly ms: number; readonly at?: number | undefined }
  /**
   * At call+`at`, the step making that call is delivered again for the same token: `sequential` runs the duplicate
   * to completion while the original waits before its call, `concurrent` starts it alongside.
   */
  | { readonly type: 'duplicate'; readonly at: number; readonly mode: DuplicateMode };

/** Per-schedule settings: the secret's tags (TTL, interval), Secrets Manager's re-attempts, the verification. */
export interface ScheduleSettings {
  /** previous_token_ttl of our rotations; 28 800 s is the default, 120 s a short overlap, 0 s an emergency. */
  readonly ttlSeconds: number;
  /** The engine's MIN_ROTATION_INTERVAL_SECONDS guard; 0 disables it. */
  readonly minIntervalSeconds: number;
  /** How long Secrets Manager waits before each re-attempt once faults stop. */
  readonly retryGapMs: number;
  /** How often the scheduled verification runs (at most a quarter of a non-zero TTL, as the construct requires). */
  readonly verifyIntervalMs: number;
}

export interface Schedule {
  readonly settings: ScheduleSettings;
  readonly actions: readonly Action[];
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}

const atCall = (at: number | 'rotate' | undefined) =>
  at === undefined ? '' : at === 'rotate' ? ' @rotate' : ` @call+${at}`;

export function describeAction(action: Action): string {
  switch (action.type) {
    case 'rotate':
    case 'testOnly':
      return action.type;
    case 'reattempt': {
      const twice = action.twice ? `, ${action.twice.step} twice ${action.twice.mode}` : '';
      return `reattempt(+${formatDuration(action.afterMs)}${twice})`;
    }
    case 'fault': {
      const lands = action.landAfterMs === undefined ? '' : ` lands +${formatDuration(action.landAfterMs)}`;
      return `fault(${action.kind}${lands}${atCall(action.at)})`;
    }
    case 'dashboard':
      return `dashboard(ttl=${action.ttlSeconds}s${atCall(action.at)})`;
    case 'removePending':
      return `removePending(${atCall(action.at).trim()})`;
    case 'advance':
      return `advance(+${formatDuration(action.ms)}${atCall(action.at)})`;
    case 'duplicate':
      return `duplicate(${action.mode}${atCall(action.at)})`;
  }
}

export function describeSchedule(schedule: Schedule): string {
  const { ttlSeconds, minIntervalSeconds, retryGapMs, verifyIntervalMs } = schedule.settings;
  const settings = `ttl=${ttlSeconds}s minInterval=${minIntervalSeconds}s retryGap=${formatDuration(retryGapMs)} verifyEvery=${formatDuration(verifyIntervalMs)}`;
  return `{${settings}} [${schedule.actions.map(describeAction).join(', ')}]`;
}

/** Gives a value the readable form fast-check prints in counterexamples. */
export function printable<T extends object>(value: T, text: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => text, enumerable: false });
  Object.defineProperty(value, 'toString', { value: () => text, enumerable: false });
  return value;
}
