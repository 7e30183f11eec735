import { Defaults } from '../../lib/constants.ts';
import { SEND_WINDOW_MS } from '../../lib/core/sendRecordedRotate.ts';

/**
 * Time in the late-landing cells (test/faults/lateLandings.test.ts). Every duration a cell names is emulated time on
 * the stack's manual clock, which `startLocalStack({ timeScale })` drives TIME_SCALE× faster than real time. What
 * waits in real time — the Clerk emulator's late landings (a `setTimeout` in its request handler), the Secrets
 * Manager emulator's re-attempt backoff, the function's client timeout — is given in real milliseconds, the emulated
 * duration ÷ TIME_SCALE, so that every wait keeps its place relative to the others and to the clock.
 *
 * Why 50×: the product's own numbers then fit — a 5 s client timeout is 100 ms of real time (long enough that a
 * loaded machine does not time out an ordinary call), the 10 s send window between a rotate's record and its send
 * is 200 ms (a few Secrets Manager calls fit), and the 600 s landing horizon is 12 s. A faster clock would squeeze
 * the send window below the time those calls take; a slower one would make the 5-minute re-attempts too long.
 */
export const TIME_SCALE = 50;

/**
 * Real milliseconds for an emulated duration, rounded up to a whole millisecond (timers wait whole milliseconds):
 * "the client timeout + 1 ms" lands 1 real ms — 50 emulated ms — after the client gave up, never at the same time.
 */
export const toRealMs = (emulatedMs: number): number => Math.ceil(emulatedMs / TIME_SCALE);

/** The function's client timeout towards Clerk: the product's default, 5 s. */
export const CLIENT_TIMEOUT_MS = 5_000;
/** The product's default landing horizon (docs/decisions/007-landing-horizon.md). */
export const HORIZON_SECONDS = Defaults.rotateLandingHorizonSeconds;
/** When a rotate stops counting as in flight, after its record was written: the send window plus the horizon. */
export const HORIZON_END_AFTER_RECORD_MS = SEND_WINDOW_MS + HORIZON_SECONDS * 1000;
/** The verification's default schedule: a run each hour, which also makes a failed rotation's AWSPENDING stuck. */
export const VERIFICATION_INTERVAL_MS = Defaults.verificationIntervalSeconds * 1000;
/** Attempts Secrets Manager makes of one rotation (AWS: "multiple times", count undocumented). */
export const ROTATION_ATTEMPTS = 4;

/** "5 min", "100 ms", "0 ms". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000} s`;
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${ms} ms`;
}
