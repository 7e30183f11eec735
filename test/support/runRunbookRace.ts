import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { Stage } from '../../lib/constants.ts';
import type { LocalStack } from '../../localstack/startLocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import { CLIENT_TIMEOUT_MS, toRealMs } from './lateLandingTime.ts';
import { apiRotations, currentKeyOf, loggedErrorCodes } from './rotationInvariants.ts';
import { endState, lateLandingStackOptions, verifyOnSchedule } from './runLateLanding.ts';

/** Secrets Manager's re-attempts in the race: 5 minutes apart, so the second rotation can finish on its own. */
export const RACE_REATTEMPT_MS = 300_000;

export interface RunbookRaceFacts {
  /** Rotations through Clerk's API, from Clerk's state. */
  readonly apiRotations: number;
  /** Outcome of the interrupted rotation and of the operator's new one, as Secrets Manager recorded them. */
  readonly outcomes: readonly string[];
  readonly errorCodes: readonly string[];
  /** Whether the verification's next run had to heal (neither rotation ended on Clerk's key). */
  readonly healedByVerification: boolean;
  readonly endsOnClerkKey: boolean;
  readonly endViolations: readonly string[];
}

const pendingVersionOf = (stack: LocalStack, secretName: string): string | undefined =>
  stack.secretsManager
    .inspectSecret(secretName)
    ?.versions.find((v) => v.stages.includes(Stage.pending) && !v.stages.includes(Stage.current))?.versionId;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * The runbook race: a rotation's first attempt is refused by Clerk (429 with a Retry-After longer than an
 * invocation waits: nothing rotated); Secrets Manager's re-attempt sends the rotate, and while it is in flight an
 * operator follows the runbook — removes AWSPENDING by hand (`update-secret-version-stage --remove-from-version-id`)
 * and rotates again. `replyArrives`: the reply reaches the interrupted invocation 3 s after it was sent (while the new
 * rotation runs); otherwise the rotate lands 10 s after the client gave up.
 */
export async function runRunbookRace(replyArrives: boolean): Promise<RunbookRaceFacts> {
  const logs: string[] = [];
  const stack = await startLocalStack(lateLandingStackOptions(RACE_REATTEMPT_MS, () => {}, logs));
  try {
    const machine = await stack.addMachine();
    const keyAppsHold = await currentKeyOf(stack, machine.secretName);
    if (keyAppsHold === undefined) throw new Error('the new machine secret has no value');
    logs.length = 0;
    stack.clerk.faults.failNext('rotateMachineSecretKey', { status: 429, retryAfterSeconds: 60 });
    const landingMs = replyArrives ? CLIENT_TIMEOUT_MS - 2_000 : CLIENT_TIMEOUT_MS + 10_000;
    const late = stack.clerk.faults.landLate('rotateMachineSecretKey', { afterMs: toRealMs(landingMs) });

    const interrupted = stack.rotate(machine.secretName);
    await until(() => late.triggered === 1); // the re-attempt's rotate has reached Clerk
    const pending = pendingVersionOf(stack, machine.secretName);
    await stack.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: machine.secretName,
        VersionStage: Stage.pending,
        RemoveFromVersionId: pending,
      }),
    );
    await Promise.all([interrupted, stack.rotate(machine.secretName)]);
    await stack.settled();
    const keysSeen = [keyAppsHold, stack.clerk.currentKey(machine.machineId)];

    const outcomes = stack.secretsManager
      .rotations()
      .filter((r) => r.secretArn === machine.secretArn && r.mode === 'rotate')
      .map((r) => r.outcome);
    const settledOnClerkKey =
      (await currentKeyOf(stack, machine.secretName)) === stack.clerk.currentKey(machine.machineId) &&
      pendingVersionOf(stack, machine.secretName) === undefined;
    if (!settledOnClerkKey) await verifyOnSchedule(stack, machine, keyAppsHold);
    return {
      apiRotations: apiRotations(stack, machine.machineId),
      outcomes,
      errorCodes: loggedErrorCodes(logs),
      healedByVerification: !settledOnClerkKey,
      ...(await endState(stack, machine, logs, keysSeen)),
    };
  } finally {
    await stack.close();
  }
}
