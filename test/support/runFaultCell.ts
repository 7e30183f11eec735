import { Defaults } from '../../lib/constants.ts';
import { SEND_WINDOW_MS } from '../../lib/core/sendRecordedRotate.ts';
import type { LocalMachine, LocalStack } from '../../localstack/startLocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import {
  armFault,
  CallCounter,
  type CallPoint,
  type FaultKind,
  MATRIX_CLIENT_TIMEOUT_MS,
  MATRIX_LATENCY_MS,
} from './matrixCallPoints.ts';
import {
  checkClerkKeyStored,
  checkCurrentKeyWorks,
  checkLegalEndState,
  checkNoKeyLogged,
  checkRotatedAtMostOnce,
  completePendingRotation,
  currentKeyOf,
  loggedErrorCodes,
  rotateAndSettle,
} from './rotationInvariants.ts';

/**
 * One cell of the fault matrix: a fresh local stack (both emulators, the real handler over HTTP, a manual clock that
 * moves only when told), one machine, one rotation driven by the Secrets Manager emulator with one fault armed for
 * exactly one call of its first attempt, then the invariants I1–I5.
 *
 * Secrets Manager's re-attempts: the first comes at once (emulated time does not move — inside the landing horizon
 * of a rotate that may still land), the second after the horizon (the clock jumps past `sent + horizon`). Real time
 * passes only so that a call held by a `timeout` fault is processed before the next attempt starts.
 */

export interface FaultCellResult {
  /** Whether the armed call was reached (the fault fired). */
  readonly reached: boolean;
  /** Secrets Manager's attempts of the rotation. */
  readonly attempts: number;
  /** The rotation was still unfinished after its attempts and needed a re-attempt once faults stopped. */
  readonly neededRecovery: boolean;
  /** The function's error lines, by code, in order. */
  readonly errorCodes: readonly string[];
  readonly violations: readonly string[];
}

/** How far Secrets Manager's second re-attempt comes after the first: past any rotate's landing horizon. */
export const PAST_HORIZON_MS = Defaults.rotateLandingHorizonSeconds * 1000 + SEND_WINDOW_MS + 1000;

/** I1 while the rotation runs: until AWSCURRENT moves, the key apps hold must keep working at Clerk. */
function watchKeyAppsHold(stack: LocalStack, machine: LocalMachine, key: string, versionId: string): string[] {
  const versions = stack.secretsManager.inspectSecret(machine.secretName)?.versions ?? [];
  const current = versions.find((v) => v.stages.includes('AWSCURRENT'));
  if (current?.versionId !== versionId || stack.clerk.isKeyValid(machine.machineId, key)) return [];
  return ['I1: the key in AWSCURRENT stopped working mid-rotation'];
}

interface CellRun {
  readonly stack: LocalStack;
  readonly counter: CallCounter;
  readonly logs: string[];
  readonly violations: string[];
  watch: ((violations: string[]) => void) | undefined;
}

async function startCellStack(point: CallPoint, kind: FaultKind): Promise<CellRun> {
  const counter = new CallCounter(point);
  const logs: string[] = [];
  const violations: string[] = [];
  const holder: { run?: CellRun } = {};
  const stack = await startLocalStack({
    writeLog: (line) => logs.push(line),
    clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    clerkRequestTimeoutMs: MATRIX_CLIENT_TIMEOUT_MS,
    functionSdkRequestTimeoutMs: MATRIX_CLIENT_TIMEOUT_MS,
    // No SDK retries inside an invocation: every Secrets Manager fault fails the step, so the matrix exercises the
    // engine's recovery across attempts, not the SDK's (Clerk calls keep the product's own retry policy).
    functionSdkMaxAttempts: 1,
    rotationMaxAttempts: 3,
    rotationBackoffMs: (failedAttempt) => {
      if (failedAttempt >= 2) holder.run?.stack.clock.advance?.(PAST_HORIZON_MS);
      return kind === 'timeout' ? MATRIX_LATENCY_MS + 200 : 0;
    },
    wrapHandler: (handler) => (event, context) => {
      counter.stepStarted();
      return handler(event, context);
    },
    beforeFunctionCall: (call) => {
      const run = holder.run;
      if (run === undefined) return;
      run.watch?.(run.violations);
      if (counter.isTarget(call)) armFault(run.stack, point, kind);
    },
  });
  holder.run = { stack, counter, logs, violations, watch: undefined };
  return holder.run;
}

/** Runs one cell and closes its stack; never throws for a broken invariant (it is in `violations`). */
export async function runFaultCell(point: CallPoint, kind: FaultKind): Promise<FaultCellResult> {
  const run = await startCellStack(point, kind);
  const { stack, logs, violations } = run;
  try {
    const machine = await stack.addMachine();
    const before = await currentKeyOf(stack, machine.secretName);
    const beforeVersion = stack.secretsManager
      .inspectSecret(machine.secretName)
      ?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.versionId;
    if (before === undefined || beforeVersion === undefined) throw new Error('the new machine secret has no value');
    logs.length = 0; // addMachine's test-only rotation is set-up, not the cell
    run.watch = (into) => into.push(...watchKeyAppsHold(stack, machine, before, beforeVersion));

    const rotation = await rotateAndSettle(stack, machine);
    const neededRecovery = rotation?.outcome !== 'succeeded';
    if (neededRecovery) {
      // Faults have stopped: Secrets Manager re-attempts the unfinished rotation, after any horizon.
      stack.clock.advance?.(PAST_HORIZON_MS);
      const failures = await completePendingRotation(stack, machine);
      if (failures.length > 0) violations.push(`I4: the rotation did not complete: ${failures[0]?.message}`);
    }
    run.watch = undefined;

    const observed = { stack, machine, logs };
    violations.push(
      ...(await checkCurrentKeyWorks(observed)),
      ...checkRotatedAtMostOnce(observed, 0),
      ...(await checkClerkKeyStored(observed)),
      ...checkLegalEndState(observed),
    );
    const after = await currentKeyOf(stack, machine.secretName);
    const clerkKey = stack.clerk.currentKey(machine.machineId);
    if (after === before || after !== clerkKey) {
      violations.push('not completed: AWSCURRENT does not hold a new key equal to Clerk’s current key');
    }
    // I5: every key this machine ever had, and the instance key, against this cell's log lines.
    const keys = [stack.clerk.defaultInstance.secretKey, before, clerkKey, ...(after === undefined ? [] : [after])];
    violations.push(...checkNoKeyLogged(logs, keys));
    return {
      reached: run.counter.reached,
      attempts: rotation?.attempts.length ?? 0,
      neededRecovery,
      errorCodes: loggedErrorCodes(logs),
      violations,
    };
  } finally {
    await stack.close();
  }
}
