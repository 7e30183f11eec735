import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import {
  CLIENT_TIMEOUT_MS,
  formatDuration,
  HORIZON_SECONDS,
  ROTATION_ATTEMPTS,
  TIME_SCALE,
} from '../support/lateLandingTime.ts';
import { matrixReport } from '../support/MatrixReport.ts';
import { runDeferredRotate } from '../support/runDeferredRotate.ts';
import { type LateLandingCase, type LateLandingFacts, runLateLanding } from '../support/runLateLanding.ts';
import { runRunbookRace } from '../support/runRunbookRace.ts';

/**
 * Late landings (issue "Never a silent dead key"; docs/decisions/007-landing-horizon.md): Clerk processes our rotate
 * after our client gave up — 1 ms, 1 s or 10 s after, or just under the landing horizon — or a gateway answers 504
 * with Clerk's envelope at once and forwards the request 200 ms later. Secrets Manager re-attempts the failed
 * rotation 0 ms, 100 ms, 5 s or 5 min later (up to 4 attempts: AWS documents neither count nor backoff), with or
 * without an operator rotating in Clerk's dashboard after the first attempt failed.
 *
 * Each cell drives the real function the way Secrets Manager does (RotateSecret through the Secrets Manager
 * emulator, its re-attempt backoff) on a stack of its own, and asserts: exactly one rotation through Clerk's API (no
 * double rotation), only loud error lines (ROTATE_OUTCOME_UNKNOWN, ROTATE_IN_FLIGHT, PENDING_KEY_STALE), and once
 * everything has landed AWSCURRENT holds Clerk's current key — either because a re-attempt after the horizon adopted
 * it, or because the rotation failed loudly with the key apps hold still inside its overlap and the verification's
 * next scheduled run (one hour later) healed it. I3–I5 hold at the end. With an operator's dashboard rotation the
 * key apps hold dies when the second rotation lands (the Clerk emulator keeps one previous key): that is the
 * operator's doing, not the engine's, and the rotation that moves AWSCURRENT off it must report OVERLAP_EXPIRED.
 *
 * Time (test/support/lateLandingTime.ts): every duration here is emulated; the stack's clock runs 50× faster than
 * real time and every real wait (the Clerk emulator's late landing, Secrets Manager's backoff, the client timeout) is
 * the emulated one ÷ 50, so the product's own numbers keep their order: client timeout 5 s < landings < 5-min
 * re-attempts < horizon 600 s (+ the 10 s send window) < the verification's hourly run < the 8 h overlap.
 */

const LOUD: readonly string[] = [ErrorCode.rotateOutcomeUnknown, ErrorCode.rotateInFlight, ErrorCode.pendingKeyStale];

const LANDINGS = [
  { label: 'client timeout + 1 ms', afterMs: CLIENT_TIMEOUT_MS + 1 },
  { label: 'client timeout + 1 s', afterMs: CLIENT_TIMEOUT_MS + 1_000 },
  { label: 'client timeout + 10 s', afterMs: CLIENT_TIMEOUT_MS + 10_000 },
  { label: 'horizon − 1 s', afterMs: HORIZON_SECONDS * 1000 - 1_000 },
] as const;
const REATTEMPTS_MS = [0, 100, 5_000, 300_000] as const;
const GATEWAY = { kind: 'gateway', afterMs: 200, status: 504, code: 'gateway_timeout' } as const;

interface Cell {
  readonly name: string;
  readonly landing: string;
  readonly case: LateLandingCase;
}

const CELLS: readonly Cell[] = [
  ...LANDINGS.flatMap((landing) =>
    REATTEMPTS_MS.flatMap((reattemptAfterMs) =>
      [false, true].map(
        (dashboard): Cell => ({
          name: `rotate lands ${landing.label} after it was sent, re-attempt after ${formatDuration(reattemptAfterMs)}${dashboard ? ', dashboard rotation in between' : ''}`,
          landing: landing.label,
          case: { rotate: { kind: 'land-late', afterMs: landing.afterMs }, reattemptAfterMs, dashboard },
        }),
      ),
    ),
  ),
  ...REATTEMPTS_MS.map(
    (reattemptAfterMs): Cell => ({
      name: `gateway answers 504 gateway_timeout and forwards the rotate 200 ms later, re-attempt after ${formatDuration(reattemptAfterMs)}`,
      landing: '504 now, processed 200 ms later',
      case: { rotate: GATEWAY, reattemptAfterMs, dashboard: false },
    }),
  ),
];

const emulated = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

const outcomeOf = (facts: LateLandingFacts): string => {
  const codes = facts.errorCodes.length > 0 ? ` (${[...new Set(facts.errorCodes)].join(', ')})` : '';
  const how = facts.completed
    ? `completed by attempt ${facts.attempts}${codes}`
    : `failed loudly after ${facts.attempts} attempts${codes}; key apps hold ${facts.keyAppsHold}; verification: ${facts.verification?.counts.DriftHealed === 1 ? 'healed' : 'did not heal'}`;
  const end = facts.endsOnClerkKey ? 'AWSCURRENT = Clerk’s key' : 'AWSCURRENT ≠ Clerk’s key';
  return `${how}; ${end}; ${facts.apiRotations} API rotation(s)`;
};

describe(`Late landings: a rotate processed after the client gave up (time ${TIME_SCALE}× compressed)`, () => {
  const report = matrixReport(
    'Late landings',
    ['rotate', 're-attempt after', 'dashboard', 'landed after (emulated)', 'outcome'],
    CELLS.map((cell) => cell.name),
  );

  it.concurrent.each(CELLS.map((cell) => [cell.name, cell] as const))(
    '%s: one rotation, loud until the horizon, AWSCURRENT on Clerk’s key once settled',
    async (_, cell) => {
      // Act
      const facts = await runLateLanding(cell.case);
      const healed = facts.completed || facts.verification?.counts.DriftHealed === 1;
      report.record(
        cell.name,
        [
          cell.landing,
          formatDuration(cell.case.reattemptAfterMs),
          cell.case.dashboard ? 'yes' : 'no',
          emulated(facts.landedAfterMs),
          outcomeOf(facts),
        ],
        facts.apiRotations === 1 && healed && facts.endsOnClerkKey && facts.endViolations.length === 0,
      );

      // Assess
      // The scenario is the one named: the first attempt got no usable answer, and Clerk rotated all the same.
      expect(facts.errorCodes[0]).toBe(ErrorCode.rotateOutcomeUnknown);
      expect(facts.apiRotations, 'rotations through Clerk’s API').toBe(1);
      // Loud, and nothing else: with a dashboard rotation the key apps hold died when the second rotation landed,
      // and the rotation that moves AWSCURRENT off it must say so.
      const allowed = cell.case.dashboard ? [...LOUD, ErrorCode.overlapExpired] : LOUD;
      expect(facts.errorCodes.filter((code) => !allowed.includes(code))).toEqual([]);
      expect(facts.errorCodes.includes(ErrorCode.overlapExpired)).toBe(cell.case.dashboard);
      if (!facts.completed) {
        expect(facts.attempts).toBe(ROTATION_ATTEMPTS);
        expect(facts.keyAppsHold).toBe(cell.case.dashboard ? 'killed-with-dashboard' : 'valid');
        expect(facts.verification?.counts.DriftHealed, 'the verification started a healing rotation').toBe(1);
      }
      expect(facts.endsOnClerkKey, 'AWSCURRENT holds Clerk’s current key').toBe(true);
      expect(facts.endViolations).toEqual([]);
    },
    60_000,
  );

  it.concurrent.each([
    ['lands 10 s after the client gave up', false],
    ['is answered 3 s after it was sent', true],
  ] as const)(
    'runbook race: AWSPENDING removed by hand while a re-attempt’s rotate is in flight (the rotate %s), then a new rotation: one rotation, AWSCURRENT on Clerk’s key once settled',
    async (_, replyArrives) => {
      // Act
      const facts = await runRunbookRace(replyArrives);

      // Assess
      expect(facts.apiRotations, 'rotations through Clerk’s API').toBe(1);
      // One of the two rotations finishes on Clerk's key; the other stops on a version no longer staged.
      expect([...facts.outcomes].sort()).toEqual(['failed', 'succeeded']);
      expect(facts.healedByVerification, 'the verification had to heal').toBe(false);
      expect(facts.endsOnClerkKey, 'AWSCURRENT holds Clerk’s current key').toBe(true);
      expect(facts.endViolations).toEqual([]);
    },
    60_000,
  );

  it.each([
    ['before the reconcile read, leaving less than a rotate needs', 'getMachineSecretKey', 50_000],
    ['while recording the rotate, past its send window', 'TagResource', 11_000],
  ] as const)(
    'deadline: an invocation that stalls %s sends no rotate (ROTATE_DEFERRED, no record left); the re-attempt rotates once',
    async (_, stallBefore, stallMs) => {
      // Act
      const facts = await runDeferredRotate(stallBefore, stallMs);

      // Assess
      expect(facts.afterFirstInvocation).toMatchObject({
        apiRotations: 0,
        rotateRecords: 0,
        errorCode: ErrorCode.rotateDeferred,
      });
      expect(facts.completed).toBe(true);
      expect(facts.apiRotations).toBe(1);
      expect(facts.endsOnClerkKey).toBe(true);
      expect(facts.endViolations).toEqual([]);
    },
  );

  // Found by this file: the send-window refusal used to reuse the budget message ("46000 ms left, a rotate needs
  // 11000 ms"), a reason that was not the reason.
  it('deadline: ROTATE_DEFERRED after a stall past the send window names the send window', async () => {
    // Act
    const facts = await runDeferredRotate('TagResource', 11_000);

    // Assess
    expect(facts.afterFirstInvocation.errorCode).toBe(ErrorCode.rotateDeferred);
    expect(facts.afterFirstInvocation.message).toMatch(/send window/);
  });
});
