import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS } from '../../lib/constants.ts';
import type { RotationRecord } from '../../localstack/secretsManager/index.ts';
import type { LocalMachine, LocalStack } from '../../localstack/startLocalStack.ts';

/**
 * The invariants of issue "Failure-proof rotation", as executable checks over the emulators' state and audit logs.
 * Each returns a list of violations (empty when it holds), so a matrix or a property test can report them all.
 */

export interface Observed {
  readonly stack: LocalStack;
  readonly machine: LocalMachine;
  /** Every log line of the rotation function. */
  readonly logs: readonly string[];
}

async function readSecretJson(
  stack: LocalStack,
  secretId: string,
  selector: { VersionId?: string; VersionStage?: string },
) {
  try {
    const out = await stack.client.send(new GetSecretValueCommand({ SecretId: secretId, ...selector }));
    return JSON.parse(out.SecretString ?? 'null') as { secretKey?: string; machineId?: string } | null;
  } catch {
    return undefined;
  }
}

function stagesOf(stack: LocalStack, secretId: string) {
  return stack.secretsManager.inspectSecret(secretId)?.versions.filter((v) => v.stages.length > 0) ?? [];
}

/** I1: the key in AWSCURRENT works at Clerk — unless its overlap ran out, which must have been reported loudly. */
export async function checkCurrentKeyWorks({ stack, machine, logs }: Observed): Promise<string[]> {
  const current = await readSecretJson(stack, machine.secretName, { VersionStage: 'AWSCURRENT' });
  if (current?.secretKey === undefined) return ['I1: AWSCURRENT has no readable key'];
  if (stack.clerk.isKeyValid(machine.machineId, current.secretKey)) return [];
  const reported = logs.some((line) => line.includes('"errorCode":"OVERLAP_EXPIRED"'));
  return reported ? [] : ['I1: the key in AWSCURRENT no longer works at Clerk and no OVERLAP_EXPIRED was reported'];
}

/** Rotations made through Clerk's API (not the dashboard) that took effect, by Clerk's own state. */
export function apiRotations(stack: LocalStack, machineId: string): number {
  return stack.clerk.rotationHistory(machineId).filter((r) => r.source === 'api').length;
}

/** I2: Clerk's rotate took effect at most `allowed` times (API rotations, dropped responses included) since `since`. */
export function checkRotatedAtMostOnce({ stack, machine }: Observed, since: number, allowed = 1): string[] {
  // From Clerk's state, not the audit log: a rotate whose client gave up (timeout) still rotates when it lands.
  const rotations = apiRotations(stack, machine.machineId) - since;
  return rotations <= allowed ? [] : [`I2: Clerk rotated ${rotations} times where at most ${allowed} was allowed`];
}

/** The keys stored in any labelled version of the secret. */
export async function storedKeys(stack: LocalStack, secretName: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const version of stagesOf(stack, secretName)) {
    if (!version.hasValue) continue;
    const value = await readSecretJson(stack, secretName, { VersionId: version.versionId });
    if (value?.secretKey !== undefined) keys.add(value.secretKey);
  }
  return keys;
}

/** I3 (after createSecret returned): Clerk's current key is stored in Secrets Manager. */
export async function checkClerkKeyStored({ stack, machine }: Observed): Promise<string[]> {
  const keys = await storedKeys(stack, machine.secretName);
  return keys.has(stack.clerk.currentKey(machine.machineId))
    ? []
    : ["I3: Clerk's current key is in no labelled version of the secret"];
}

/** I4 (end state): AWSPENDING on no version, or on the AWSCURRENT one. */
export function checkLegalEndState({ stack, machine }: Observed): string[] {
  const versions = stagesOf(stack, machine.secretName);
  const pending = versions.find((v) => v.stages.includes('AWSPENDING'));
  if (pending === undefined || pending.stages.includes('AWSCURRENT')) return [];
  return [`I4: AWSPENDING is left on version ${pending.versionId}, which is not AWSCURRENT`];
}

/** I5: no key value in any log line or error message. */
export function checkNoKeyLogged(texts: readonly string[], keys: Iterable<string>): string[] {
  const all = [...keys];
  const leaks = texts.filter((text) => all.some((key) => text.includes(key)));
  return leaks.length === 0 ? [] : [`I5: ${leaks.length} log lines or messages contain a key`];
}

/**
 * What Secrets Manager does once faults stop: re-attempt the unfinished rotation (AWSPENDING on a version that is
 * not AWSCURRENT) with the same token until it completes. Returns the failures seen (at most `attempts`).
 */
export async function completePendingRotation(
  stack: LocalStack,
  machine: LocalMachine,
  attempts = 3,
): Promise<Error[]> {
  const failures: Error[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const pending = stagesOf(stack, machine.secretName).find(
      (v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT'),
    );
    if (pending === undefined) return failures;
    try {
      for (const step of ROTATION_STEPS) await stack.invokeStep(step, machine.secretArn, pending.versionId);
    } catch (error) {
      failures.push(error as Error);
    }
  }
  return failures;
}

/** The key AWSCURRENT holds, or undefined when it cannot be read. */
export async function currentKeyOf(stack: LocalStack, secretName: string): Promise<string | undefined> {
  return (await readSecretJson(stack, secretName, { VersionStage: 'AWSCURRENT' }))?.secretKey;
}

/** The `errorCode` of every error line among the function's JSON log lines, in order. */
export function loggedErrorCodes(logs: readonly string[]): string[] {
  const codes: string[] = [];
  for (const line of logs) {
    try {
      const parsed = JSON.parse(line) as { level?: unknown; errorCode?: unknown };
      if (parsed.level === 'error' && typeof parsed.errorCode === 'string') codes.push(parsed.errorCode);
    } catch {
      // not a JSON line: nothing to read
    }
  }
  return codes;
}

/**
 * RotateSecret as Secrets Manager runs it (every attempt, sync mode), then everything landed: the secret's rotation
 * record as the emulator kept it.
 */
export async function rotateAndSettle(stack: LocalStack, machine: LocalMachine): Promise<RotationRecord | undefined> {
  await stack.rotate(machine.secretName);
  await stack.settled();
  return stack.secretsManager
    .rotations()
    .filter((r) => r.secretArn === machine.secretArn)
    .at(-1);
}

/**
 * I6 (first half): after a rotation converged, the key in AWSCURRENT is Clerk's current key or still inside its
 * overlap (Clerk accepts it as the previous key). `key` is AWSCURRENT's key as read by the caller.
 */
export function checkCurrentKeyInOverlap(
  { stack, machine }: Pick<Observed, 'stack' | 'machine'>,
  key: string,
): string[] {
  if (key === stack.clerk.currentKey(machine.machineId) || stack.clerk.isKeyValid(machine.machineId, key)) return [];
  return ["I6: the key in AWSCURRENT is neither Clerk's current key nor inside its overlap"];
}

/** What the scheduled verification (docs/decisions/009) can see of one secret at a moment. */
export interface DriftState {
  /** AWSCURRENT's key is not Clerk's current key. */
  readonly drift: boolean;
  /** Age of AWSPENDING on a version other than AWSCURRENT, when there is one. */
  readonly pendingAgeMs: number | undefined;
  /** Rotate records (docs/decisions/007) whose rotate may still land. */
  readonly recordsInFlight: number;
}

/**
 * Whether the verification must heal this drift now: no recorded rotate may still land (it would wait), and no
 * rotation is running — or the one that is has been stuck longer than `stuckAfterMs` (it clears it first).
 */
export function isHealableDrift(state: DriftState, stuckAfterMs: number): boolean {
  if (!state.drift || state.recordsInFlight > 0) return false;
  return state.pendingAgeMs === undefined || state.pendingAgeMs > stuckAfterMs;
}

/**
 * I6 (second half): drift the verification can heal is healed within one verification interval. Feed it what was
 * seen, in time order (`at` in ms); it returns the violation once healable drift has lasted longer than the interval
 * (plus `slackMs` for the verification's own pacing), once per episode.
 */
export function createDriftWatch(intervalMs: number, slackMs = 10_000) {
  let since: number | undefined;
  let reported = false;
  return {
    observe(at: number, healable: boolean): string[] {
      if (!healable) {
        since = undefined;
        reported = false;
        return [];
      }
      since ??= at;
      const lasted = at - since;
      if (reported || lasted <= intervalMs + slackMs) return [];
      reported = true;
      return [
        `I6: drift the verification can heal has lasted ${Math.round(lasted / 1000)} s, more than one verification interval (${intervalMs / 1000} s)`,
      ];
    },
    /** The verification started a healing rotation at `at`: whatever happens to it, the next interval counts anew. */
    healStarted(at: number): void {
      if (since !== undefined) since = at;
      reported = false;
    },
    /** When the current episode of healable drift began, if one is going on. */
    get since() {
      return since;
    },
  };
}
