import fc from 'fast-check';
import { Defaults, type RotationStep } from '../../lib/constants.ts';

/**
 * The vocabulary of a chaos schedule. Everything that happens "at call+N" happens right before the rotation
 * function's (N+1)-th outbound call (to Secrets Manager or Clerk) counted from the moment the action runs; the
 * stack's `beforeFunctionCall` hook fires it, so a fault hits exactly that call whichever action makes it.
 */

/**
 * What a fault does to the one call it hits; each maps onto both emulators (see `armFault`). `timeout` holds the
 * call longer than the caller waits, and the emulator still processes it afterwards: it needs real time, so only
 * `npm run test:chaos` generates it.
 */
export const FAULT_KINDS = ['fail', 'reset', 'lost', 'throttle', 'garbled'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number] | 'timeout';

export type DuplicateMode = 'sequential' | 'concurrent';

export type Action =
  /** RotateSecret with RotateImmediately=true and a fresh ClientRequestToken; one attempt, a failure stays pending. */
  | { readonly type: 'rotate' }
  /** RotateSecret with RotateImmediately=false: testSecret alone, against a copy of AWSCURRENT. */
  | { readonly type: 'testOnly' }
  /**
   * Secrets Manager re-attempts the unfinished rotation (no-op when none is pending), `retryGap` later: the four
   * steps in order for the AWSPENDING token, stopping at the first failure; `twice` delivers one step twice, one
   * after the other or both at once (`Promise.all`). Concurrent createSecret is never generated: see
   * concurrentCreateSecret.test.ts.
   */
  | {
      readonly type: 'reattempt';
      readonly twice?: { readonly step: RotationStep; readonly mode: DuplicateMode } | undefined;
    }
  /** The function's call at call+`at` fails with `kind`. */
  | { readonly type: 'fault'; readonly at: number; readonly kind: FaultKind }
  /** An operator rotates the key in Clerk's dashboard, now or at call+`at` (in the middle of a rotation). */
  | { readonly type: 'dashboard'; readonly ttlSeconds: number; readonly at?: number | undefined }
  /** The clock jumps, now or at call+`at` (a Lambda stalled mid-invocation, for at most 15 min: its deadline passes). */
  | { readonly type: 'advance'; readonly ms: number; readonly at?: number | undefined }
  /**
   * At call+`at`, the step making that call is delivered again for the same token: `sequential` runs the duplicate
   * to completion while the original waits before its call (a deterministic interleaving), `concurrent` starts it
   * alongside. A createSecret call (the known open race) passes it on to the next call; skipped when no version is
   * AWSPENDING.
   */
  | { readonly type: 'duplicate'; readonly at: number; readonly mode: DuplicateMode };

/** Per-schedule settings, applied to the run's secret as tags (TTL, interval) or to Secrets Manager's retries. */
export interface ScheduleSettings {
  /** previous_token_ttl of our rotations; 28 800 s is the default, 120 s and 0 s make the overlap run out. */
  readonly ttlSeconds: number;
  /** The engine's MIN_ROTATION_INTERVAL_SECONDS guard; 0 disables it. */
  readonly minIntervalSeconds: number;
  /** How long Secrets Manager waits before it re-attempts a failed rotation (the clock moves by it). */
  readonly retryGapMs: number;
}

export interface Schedule {
  readonly settings: ScheduleSettings;
  readonly actions: readonly Action[];
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}

const atCall = (at: number | undefined) => (at === undefined ? '' : ` @call+${at}`);

export function describeAction(action: Action): string {
  switch (action.type) {
    case 'rotate':
    case 'testOnly':
      return action.type;
    case 'reattempt':
      return action.twice ? `reattempt(${action.twice.step} twice, ${action.twice.mode})` : 'reattempt';
    case 'fault':
      return `fault(${action.kind}${atCall(action.at)})`;
    case 'dashboard':
      return `dashboard(ttl=${action.ttlSeconds}s${atCall(action.at)})`;
    case 'advance':
      return `advance(+${formatDuration(action.ms)}${atCall(action.at)})`;
    case 'duplicate':
      return `duplicate(${action.mode}${atCall(action.at)})`;
  }
}

export function describeSchedule(schedule: Schedule): string {
  const { ttlSeconds, minIntervalSeconds, retryGapMs } = schedule.settings;
  const settings = `ttl=${ttlSeconds}s minInterval=${minIntervalSeconds}s retryGap=${formatDuration(retryGapMs)}`;
  return `{${settings}} [${schedule.actions.map(describeAction).join(', ')}]`;
}

/** Gives a value the readable form fast-check prints in counterexamples. */
function printable<T extends object>(value: T, text: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => text, enumerable: false });
  Object.defineProperty(value, 'toString', { value: () => text, enumerable: false });
  return value;
}

export interface ScheduleArbitraryOptions {
  /** Generate `timeout` faults too (real-time latency). @default false - the fixed-seed suite leaves them out */
  readonly withTimeouts?: boolean;
}

/** A clean rotation makes 17 outbound calls: offsets land in the next rotation, or the next action's calls. */
const MAX_CALL_OFFSET = 18;

const callOffset = (max: number) => fc.integer({ min: 0, max });
/** Between actions: seconds to a working day (past the 8 h maximum overlap). */
const jumpMs = fc.constantFrom(1_000, 90_000, 301_000, 2 * 3_600_000, 9 * 3_600_000);
/** Inside an invocation: a stall no longer than a Lambda may run (15 min), past the 450 ms budget (see ChaosStack). */
const stallMs = fc.constantFrom(1_000, 90_000, 301_000);
const dashboardTtl = fc.constantFrom(0, 60, Defaults.previousKeyTtlSeconds);
const concurrentSteps = fc.constantFrom<RotationStep>('setSecret', 'testSecret', 'finishSecret');
const anyStep = fc.constantFrom<RotationStep>('createSecret', 'setSecret', 'testSecret', 'finishSecret');

/** A step delivered twice in a re-attempt: any step one after the other, all but createSecret at once. */
const twiceArbitrary = fc.oneof(
  fc.record({ step: anyStep, mode: fc.constant<DuplicateMode>('sequential') }),
  fc.record({ step: concurrentSteps, mode: fc.constant<DuplicateMode>('concurrent') }),
);

function reattemptArbitrary(): fc.Arbitrary<Action> {
  return fc.record({
    type: fc.constant('reattempt' as const),
    twice: fc.option(twiceArbitrary, { nil: undefined, freq: 2 }),
  });
}

function actionArbitrary(maxOffset: number, kinds: readonly FaultKind[]): fc.Arbitrary<Action> {
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'rotate' }) },
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'testOnly' }) },
    { weight: 1, arbitrary: reattemptArbitrary() },
    {
      weight: 6,
      arbitrary: fc.record({
        type: fc.constant('fault' as const),
        at: callOffset(maxOffset),
        kind: fc.constantFrom(...kinds),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('dashboard' as const),
        ttlSeconds: dashboardTtl,
        at: fc.option(callOffset(maxOffset), { nil: undefined }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: jumpMs }) },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('advance' as const), ms: stallMs, at: callOffset(maxOffset) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('duplicate' as const),
        at: callOffset(maxOffset),
        mode: fc.constantFrom<DuplicateMode>('sequential', 'concurrent'),
      }),
    },
  );
  return action.map((a) => printable({ ...a }, describeAction(a)));
}

/**
 * A small schedule: up to two actions, a rotation, up to two actions, Secrets Manager's re-attempt (a no-op when
 * the rotation completed; otherwise the rotation continues, possibly with a step delivered twice), up to one more
 * action. Every schedule rotates so no run is wasted; shrinking removes actions around the fixed ones and
 * simplifies each one.
 */
export function scheduleArbitrary(options: ScheduleArbitraryOptions = {}): fc.Arbitrary<Schedule> {
  const kinds: readonly FaultKind[] = options.withTimeouts ? [...FAULT_KINDS, 'timeout'] : FAULT_KINDS;
  const action = actionArbitrary(MAX_CALL_OFFSET, kinds);
  const settings = fc.record({
    ttlSeconds: fc.constantFrom(Defaults.previousKeyTtlSeconds, 120, 0),
    minIntervalSeconds: fc.constantFrom(Defaults.minRotationIntervalSeconds, 0),
    retryGapMs: fc.constantFrom(0, 60_000, 3_600_000),
  });
  return fc
    .record({
      settings,
      before: fc.array(action, { maxLength: 2 }),
      between: fc.array(action, { maxLength: 2 }),
      reattempt: reattemptArbitrary(),
      after: fc.array(action, { maxLength: 1 }),
    })
    .map(({ settings: s, before, between, reattempt, after }) => {
      const schedule: Schedule = {
        settings: s,
        actions: [
          ...before,
          printable<Action>({ type: 'rotate' }, 'rotate'),
          ...between,
          printable({ ...reattempt }, describeAction(reattempt)),
          ...after,
        ],
      };
      return printable(schedule, describeSchedule(schedule));
    });
}
