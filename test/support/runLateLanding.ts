import { EnvVar } from '../../lib/constants.ts';
import type { VerificationRunSummary } from '../../lib/verification/runVerification.ts';
import type { LocalMachine, LocalStack, LocalStackOptions } from '../../localstack/startLocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import { isKeyShaped } from './keyShape.ts';
import {
  CLIENT_TIMEOUT_MS,
  HORIZON_SECONDS,
  ROTATION_ATTEMPTS,
  TIME_SCALE,
  toRealMs,
  VERIFICATION_INTERVAL_MS,
} from './lateLandingTime.ts';
import {
  apiRotations,
  checkClerkKeyStored,
  checkLegalEndState,
  checkNoKeyLogged,
  currentKeyOf,
  loggedErrorCodes,
  rotateAndSettle,
} from './rotationInvariants.ts';

/** How Clerk's rotate misbehaves: all durations emulated, from the request's arrival at Clerk. */
export type LateRotate =
  /** Processed `afterMs` after it arrived; the client gave up at its timeout. */
  | { readonly kind: 'land-late'; readonly afterMs: number }
  /** A gateway answers `status` with Clerk's envelope at once and forwards the request `afterMs` later. */
  | { readonly kind: 'gateway'; readonly afterMs: number; readonly status: number; readonly code: string };

export interface LateLandingCase {
  readonly rotate: LateRotate;
  /** How long Secrets Manager waits before re-attempting a failed rotation (emulated). */
  readonly reattemptAfterMs: number;
  /** An operator rotates in Clerk's dashboard (8 h overlap) when the first attempt has failed. */
  readonly dashboard: boolean;
}

export type KeyStanding = 'valid' | 'killed-with-dashboard' | 'dead';

/** What a late-landing cell observed; the test asserts on it. */
export interface LateLandingFacts {
  /** Rotations made through Clerk's API, from Clerk's own state (a rotate processed after the client left counts). */
  readonly apiRotations: number;
  /** Secrets Manager's attempts of the rotation, and whether one of them completed it. */
  readonly attempts: number;
  readonly completed: boolean;
  /** The function's error lines, by code, in order: the rotation's, then any healing rotation's. */
  readonly errorCodes: readonly string[];
  /** Emulated ms from the faulted rotate's arrival at Clerk to its processing. */
  readonly landedAfterMs: number | undefined;
  /** When the rotation failed: the key in AWSCURRENT at the next verification run, before it ran. */
  readonly keyAppsHold: KeyStanding | undefined;
  /** When the rotation failed: the verification run one interval later. */
  readonly verification: VerificationRunSummary | undefined;
  /** Once everything has landed (and any verification ran): AWSCURRENT holds Clerk's current key. */
  readonly endsOnClerkKey: boolean;
  /** I3, I4 and I5 at the end. */
  readonly endViolations: readonly string[];
}

/** Key-shaped text in a log line is a leak whichever key it is (one Clerk never showed the test included). */

/** The stack every late-landing cell runs on: time compressed, the product's timeout and horizon. */
export function lateLandingStackOptions(
  reattemptAfterMs: number,
  onAttemptFailed: (attempt: number) => void,
  logs: string[],
): LocalStackOptions {
  return {
    timeScale: TIME_SCALE,
    clerkRequestTimeoutMs: toRealMs(CLIENT_TIMEOUT_MS),
    // Real time, as Lambda counts it; the function compares it with the fast clock, so its budget is 297 s of
    // emulated time — ample for one step, and a deadline never decides these cells.
    lambdaTimeoutMs: 300_000,
    rotationMaxAttempts: ROTATION_ATTEMPTS,
    rotationBackoffMs: (failedAttempt) => {
      onAttemptFailed(failedAttempt);
      return toRealMs(reattemptAfterMs);
    },
    functionEnv: { [EnvVar.rotateLandingHorizonSeconds]: String(HORIZON_SECONDS) },
    writeLog: (line) => logs.push(line),
  };
}

function armLateRotate(stack: LocalStack, rotate: LateRotate): void {
  const afterMs = toRealMs(rotate.afterMs);
  if (rotate.kind === 'land-late') stack.clerk.faults.landLate('rotateMachineSecretKey', { afterMs });
  else {
    stack.clerk.faults.answerNowProcessLater('rotateMachineSecretKey', {
      afterMs,
      status: rotate.status,
      code: rotate.code,
    });
  }
}

/** The key apps hold: valid, or killed by two rotations in its overlap of which one was the operator's. */
export function keyStanding(stack: LocalStack, machine: LocalMachine, key: string): KeyStanding {
  if (stack.clerk.isKeyValid(machine.machineId, key)) return 'valid';
  const history = stack.clerk.rotationHistory(machine.machineId);
  return history.some((rotation) => rotation.source === 'dashboard') ? 'killed-with-dashboard' : 'dead';
}

/** The end of every cell: AWSCURRENT against Clerk, I3 (Clerk's key stored), I4 (legal end state), I5 (no key logged). */
export async function endState(
  stack: LocalStack,
  machine: LocalMachine,
  logs: readonly string[],
  keysSeen: Iterable<string>,
): Promise<{ endsOnClerkKey: boolean; endViolations: string[] }> {
  const clerkKey = stack.clerk.currentKey(machine.machineId);
  const current = await currentKeyOf(stack, machine.secretName);
  const observed = { stack, machine, logs };
  const keys = new Set([...keysSeen, clerkKey, stack.clerk.defaultInstance.secretKey]);
  if (current !== undefined) keys.add(current);
  const shaped = logs.filter((line) => isKeyShaped(line)).length;
  return {
    endsOnClerkKey: current === clerkKey,
    endViolations: [
      ...(await checkClerkKeyStored(observed)),
      ...checkLegalEndState(observed),
      ...checkNoKeyLogged(logs, keys),
      ...(shaped > 0 ? [`I5: ${shaped} log lines hold key-shaped text`] : []),
    ],
  };
}

/**
 * The verification's next scheduled run, one interval (an hour) on once everything has landed: past every horizon,
 * and late enough for a failed rotation's AWSPENDING to count as stuck. Reports the key apps hold right before it.
 */
export async function verifyOnSchedule(
  stack: LocalStack,
  machine: LocalMachine,
  keyAppsHold: string,
): Promise<{ standing: KeyStanding; summary: VerificationRunSummary }> {
  stack.clock.advance?.(VERIFICATION_INTERVAL_MS);
  const standing = keyStanding(stack, machine, keyAppsHold);
  return { standing, summary: await stack.verify() };
}

/**
 * One late-landing cell: RotateSecret through the Secrets Manager emulator (which re-attempts a failed rotation
 * `reattemptAfterMs` later, up to ROTATION_ATTEMPTS times) on a stack of its own, with Clerk's rotate landing late.
 * Once everything has landed, a rotation that failed is left to the verification's next scheduled run.
 */
export async function runLateLanding(cell: LateLandingCase): Promise<LateLandingFacts> {
  const logs: string[] = [];
  const keysSeen = new Set<string>();
  const holder: { stack?: LocalStack; machine?: LocalMachine } = {};
  const onAttemptFailed = (attempt: number) => {
    const { stack, machine } = holder;
    if (stack === undefined || machine === undefined) return;
    keysSeen.add(stack.clerk.currentKey(machine.machineId));
    if (attempt === 1 && cell.dashboard) {
      keysSeen.add(stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: 28_800 }));
    }
  };
  const stack = await startLocalStack(lateLandingStackOptions(cell.reattemptAfterMs, onAttemptFailed, logs));
  holder.stack = stack;
  try {
    const machine = await stack.addMachine();
    const keyAppsHold = await currentKeyOf(stack, machine.secretName);
    if (keyAppsHold === undefined) throw new Error('the new machine secret has no value');
    keysSeen.add(keyAppsHold);
    logs.length = 0; // addMachine's test-only rotation is set-up, not the cell
    holder.machine = machine;
    armLateRotate(stack, cell.rotate);

    const rotation = await rotateAndSettle(stack, machine);
    keysSeen.add(stack.clerk.currentKey(machine.machineId));
    const completed = rotation?.outcome === 'succeeded';
    const landed = stack.clerk.audit.entries({ operation: 'rotateMachineSecretKey' }).find((e) => e.fault);
    const verified = completed ? undefined : await verifyOnSchedule(stack, machine, keyAppsHold);
    return {
      apiRotations: apiRotations(stack, machine.machineId),
      attempts: rotation?.attempts.length ?? 0,
      completed,
      errorCodes: loggedErrorCodes(logs),
      landedAfterMs: landed?.processedAt === undefined ? undefined : landed.processedAt - landed.at,
      keyAppsHold: verified?.standing,
      verification: verified?.summary,
      ...(await endState(stack, machine, logs, keysSeen)),
    };
  } finally {
    await stack.close();
  }
}
