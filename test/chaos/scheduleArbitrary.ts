import fc from 'fast-check';
import { Defaults, type RotationStep } from '../../lib/constants.ts';
import { SEND_WINDOW_MS } from '../../lib/core/sendRecordedRotate.ts';
import {
  type Action,
  type DuplicateMode,
  describeAction,
  describeSchedule,
  type FaultKind,
  printable,
  type Schedule,
  type ScheduleSettings,
} from './schedule.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The rotation function's landing horizon in the chaos stack (the default), and the latest a rotate can land. */
export const HORIZON_MS = Defaults.rotateLandingHorizonSeconds * SECOND;
/** A rotate sent at t is recorded as sent by t + SEND_WINDOW_MS at most: it may land until then plus the horizon. */
export const LATEST_LANDING_MS = HORIZON_MS + SEND_WINDOW_MS;

/** Landings inside the horizon (the engine must wait them out) and beyond it (007's documented residual risk). */
const WITHIN_HORIZON = [0, SECOND, 90 * SECOND, 590 * SECOND] as const;
const BEYOND_HORIZON = [11 * MINUTE, 2 * HOUR] as const;

/** Whether a rotate processed `landAfterMs` after it was sent lands after the horizon its record allows for. */
export const landsBeyondHorizon = (landAfterMs: number): boolean => landAfterMs > LATEST_LANDING_MS;

/** A clean rotation makes 21 outbound calls (17 to Secrets Manager, 4 to Clerk): offsets reach into the next one. */
const MAX_CALL_OFFSET = 22;

const callOffset = fc.integer({ min: 0, max: MAX_CALL_OFFSET });
/** Between actions: a second to past the 8 h maximum overlap. */
const jumpMs = fc.constantFrom(SECOND, 90 * SECOND, 5 * MINUTE, 11 * MINUTE, 2 * HOUR, 9 * HOUR);
/** Inside an invocation: a stall past its budget (see ChaosStack), no longer than a Lambda may run. */
const stallMs = fc.constantFrom(SECOND, 90 * SECOND, 301 * SECOND);
/** Secrets Manager's re-attempt delays: undocumented, so anything from at once to past the horizon. */
const retryDelayMs = fc.constantFrom(0, SECOND, 90 * SECOND, 5 * MINUTE, 11 * MINUTE, HOUR);
const dashboardTtl = fc.constantFrom(0, 60, Defaults.previousKeyTtlSeconds);
const landAfterMs = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WITHIN_HORIZON) },
  { weight: 1, arbitrary: fc.constantFrom(...BEYOND_HORIZON) },
);
const anyStep = fc.constantFrom<RotationStep>('createSecret', 'setSecret', 'testSecret', 'finishSecret');
const duplicateMode = fc.constantFrom<DuplicateMode>('sequential', 'concurrent');

/** A fault hits a call by its offset, or the function's next rotate at Clerk (the call 007 is about). */
const faultTarget = (rotateWeight: number) =>
  fc.oneof({ weight: 3, arbitrary: callOffset }, { weight: rotateWeight, arbitrary: fc.constant<'rotate'>('rotate') });

function faultArbitrary(): fc.Arbitrary<Action> {
  const plain = fc.record({
    type: fc.constant('fault' as const),
    at: faultTarget(1),
    kind: fc.constantFrom<FaultKind>('fail', 'reset', 'lost', 'throttle', 'garbled', 'timeout'),
  });
  const landing = fc.record({
    type: fc.constant('fault' as const),
    at: faultTarget(6),
    kind: fc.constantFrom<FaultKind>('gateway', 'gateway', 'late'),
    landAfterMs,
  });
  return fc.oneof({ weight: 1, arbitrary: plain }, { weight: 1, arbitrary: landing });
}

function reattemptArbitrary(): fc.Arbitrary<Action> {
  return fc.record({
    type: fc.constant('reattempt' as const),
    afterMs: retryDelayMs,
    twice: fc.option(fc.record({ step: anyStep, mode: duplicateMode }), { nil: undefined, freq: 2 }),
  });
}

function actionArbitrary(): fc.Arbitrary<Action> {
  const optionalAt = fc.option(callOffset, { nil: undefined });
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'rotate' }) },
    { weight: 1, arbitrary: fc.constant<Action>({ type: 'testOnly' }) },
    { weight: 1, arbitrary: reattemptArbitrary() },
    { weight: 8, arbitrary: faultArbitrary() },
    {
      weight: 2,
      arbitrary: fc.record({ type: fc.constant('dashboard' as const), ttlSeconds: dashboardTtl, at: optionalAt }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('removePending' as const), at: optionalAt }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: jumpMs }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: stallMs, at: callOffset }) },
    {
      weight: 2,
      arbitrary: fc.record({ type: fc.constant('duplicate' as const), at: callOffset, mode: duplicateMode }),
    },
  );
  return action.map((a) => printable({ ...a }, describeAction(a)));
}

/**
 * The verification interval goes with the TTL: the construct refuses an interval over a quarter of the smallest
 * non-zero previous-key TTL. An emergency TTL of 0 has no overlap to fit in; it gets the default hour.
 */
function settingsArbitrary(): fc.Arbitrary<ScheduleSettings> {
  return fc.constantFrom(Defaults.previousKeyTtlSeconds, 120, 0).chain((ttlSeconds) =>
    fc.record({
      ttlSeconds: fc.constant(ttlSeconds),
      minIntervalSeconds: fc.constantFrom(Defaults.minRotationIntervalSeconds, 0),
      retryGapMs: retryDelayMs,
      verifyIntervalMs:
        ttlSeconds === Defaults.previousKeyTtlSeconds
          ? fc.constantFrom(Defaults.verificationIntervalSeconds * SECOND, 10 * MINUTE)
          : fc.constant(ttlSeconds === 0 ? Defaults.verificationIntervalSeconds * SECOND : (ttlSeconds * SECOND) / 4),
    }),
  );
}

/**
 * A small schedule: up to three actions, a rotation, up to two actions, Secrets Manager's re-attempt (a no-op when
 * the rotation completed; otherwise it continues, possibly with a step delivered twice), up to two more actions.
 * Every schedule rotates so no run is wasted; shrinking removes actions around the fixed ones and simplifies each.
 */
export function scheduleArbitrary(): fc.Arbitrary<Schedule> {
  const action = actionArbitrary();
  return fc
    .record({
      settings: settingsArbitrary(),
      before: fc.array(action, { maxLength: 3 }),
      between: fc.array(action, { maxLength: 2 }),
      reattempt: reattemptArbitrary(),
      after: fc.array(action, { maxLength: 2 }),
    })
    .map(({ settings, before, between, reattempt, after }) => {
      const schedule: Schedule = {
        settings,
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
