import type { Clock, Sleep } from '../Clock.ts';
import { Stage } from '../constants.ts';
import type { SecretStore } from '../core/SecretStore.ts';
import { InterruptedError } from './errors.ts';
import { formatDuration } from './formatTime.ts';

/** What an operator can see of a rotation from outside, in the order it happens. */
export const RotationMilestone = {
  /** RotateSecret staged the version under AWSPENDING, without a value: createSecret is running. */
  pending: 'pending',
  /** createSecret stored the new key on the pending version: setSecret, testSecret, finishSecret follow. */
  staged: 'staged',
  /** finishSecret moved AWSCURRENT to the version: apps reading AWSCURRENT get the new key. */
  promoted: 'promoted',
  /** finishSecret removed AWSPENDING from it: the rotation is complete. */
  finished: 'finished',
} as const;
export type RotationMilestone = (typeof RotationMilestone)[keyof typeof RotationMilestone];

export interface RotationProgress {
  readonly milestone: RotationMilestone;
  /** Since the wait began. */
  readonly elapsedMs: number;
  readonly message: string;
}

export type FollowFailure = 'timeout' | 'version-gone' | 'label-removed' | 'cancelled';

export type FollowResult =
  | {
      readonly outcome: 'promoted';
      readonly elapsedMs: number;
      /** AWSPENDING was still on the new AWSCURRENT version when the wait ended. */
      readonly leftoverPendingLabel: boolean;
    }
  | {
      readonly outcome: 'failed';
      readonly failure: FollowFailure;
      readonly elapsedMs: number;
      readonly message: string;
      /** The furthest milestone reached. */
      readonly reached: RotationMilestone | undefined;
    };

export interface FollowRotationInput {
  readonly secretId: string;
  /** The rotation's version (RotateSecret's ClientRequestToken). */
  readonly versionId: string;
  /** AWSCURRENT before the rotation. */
  readonly previousVersionId: string | undefined;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** How long to wait for AWSPENDING to go once AWSCURRENT moved. */
  readonly cleanupGraceMs: number;
  readonly onProgress: (progress: RotationProgress) => void;
}

export interface FollowRotationPorts {
  readonly store: Pick<SecretStore, 'describeSecret' | 'getSecretVersion'>;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly signal: AbortSignal | undefined;
}

/** Sleeps, unless the operator interrupts: then throws InterruptedError at once. */
export async function pause(sleep: Sleep, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw new InterruptedError();
  if (signal === undefined) return sleep(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new InterruptedError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

const ORDER: readonly RotationMilestone[] = Object.values(RotationMilestone);

/**
 * Follows one rotation by polling DescribeSecret (and GetSecretValue on the pending version until it has a value):
 * Secrets Manager reports no step outcomes, so the labels are the only progress there is. A milestone missed between
 * two polls is still reported, in order. Ends when AWSCURRENT has moved (success), or the version or its label
 * vanished, rotation was cancelled, or the time ran out (failure; the caller diagnoses why).
 */
export async function followRotation(ports: FollowRotationPorts, input: FollowRotationInput): Promise<FollowResult> {
  const { store, clock, sleep, signal } = ports;
  const started = clock.now();
  const elapsed = () => clock.now() - started;
  let reached: RotationMilestone | undefined;
  let promotedAt: number | undefined;

  const short = (id: string | undefined) => id ?? 'none';
  const messages: Record<RotationMilestone, () => string> = {
    pending: () => `AWSPENDING on version ${input.versionId}: createSecret is obtaining the new key from Clerk`,
    staged: () => 'new key staged on the pending version: setSecret, testSecret and finishSecret next',
    promoted: () =>
      `AWSCURRENT moved to ${input.versionId}; AWSPREVIOUS is now ${short(input.previousVersionId)} (apps get the new key)`,
    finished: () => 'AWSPENDING removed: the rotation is complete',
  };
  const reach = (milestone: RotationMilestone) => {
    const target = ORDER.indexOf(milestone);
    const from = reached === undefined ? 0 : ORDER.indexOf(reached) + 1;
    for (let index = from; index <= target; index++) {
      const step = ORDER[index];
      if (step === undefined) continue;
      reached = step;
      input.onProgress({ milestone: step, elapsedMs: elapsed(), message: messages[step]() });
    }
  };
  const fail = (failure: FollowFailure, message: string): FollowResult => ({
    outcome: 'failed',
    failure,
    elapsedMs: elapsed(),
    message,
    reached,
  });

  for (;;) {
    const metadata = await store.describeSecret(input.secretId);
    const stages = metadata.versionIdsToStages[input.versionId];
    if (stages?.includes(Stage.current)) {
      reach(RotationMilestone.promoted);
      promotedAt ??= clock.now();
      if (!stages.includes(Stage.pending)) {
        reach(RotationMilestone.finished);
        return { outcome: 'promoted', elapsedMs: elapsed(), leftoverPendingLabel: false };
      }
      if (clock.now() - promotedAt >= input.cleanupGraceMs) {
        return { outcome: 'promoted', elapsedMs: elapsed(), leftoverPendingLabel: true };
      }
    } else if (stages === undefined) {
      return fail('version-gone', `version ${input.versionId} no longer exists on the secret`);
    } else if (stages.includes(Stage.pending)) {
      reach(RotationMilestone.pending);
      if (reached === RotationMilestone.pending) {
        const value = await store.getSecretVersion(input.secretId, { versionId: input.versionId });
        if (value?.secretString !== undefined) reach(RotationMilestone.staged);
      }
      if (!metadata.rotationEnabled) {
        return fail('cancelled', 'rotation was turned off (CancelRotateSecret) while the rotation was running');
      }
    } else {
      return fail(
        'label-removed',
        `AWSPENDING was removed from version ${input.versionId} before it became AWSCURRENT (labels: ${stages.join(', ') || 'none'})`,
      );
    }

    const remaining = input.timeoutMs - elapsed();
    if (remaining <= 0 && promotedAt === undefined) {
      return fail('timeout', `AWSCURRENT did not move within ${formatDuration(input.timeoutMs)}`);
    }
    await pause(
      sleep,
      Math.max(1, Math.min(input.pollIntervalMs, remaining > 0 ? remaining : input.pollIntervalMs)),
      signal,
    );
  }
}
