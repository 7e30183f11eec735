import { Stage } from '../../constants.ts';
import { versionWithStage } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import { parseMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import type { SecretMetadata } from '../createOperatorSecretStore.ts';
import { diagnoseSnapshotPending, type PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { CliErrorCode, type ReasonCode } from '../errors.ts';
import { type FollowFailure, type FollowResult, followRotation, type RotationProgress } from '../followRotation.ts';
import { readFunctionLog } from '../readFunctionLog.ts';
import { readSecretSnapshot } from '../readSecretSnapshot.ts';
import type { RotateOutcome, RotateReport } from './rotateReport.ts';

export interface StartOptions {
  readonly wait: boolean;
  readonly timeout: number;
  readonly pollInterval: number;
  readonly emergency: boolean;
  readonly instanceKeySecret?: string | undefined;
}

type Failed = Extract<FollowResult, { outcome: 'failed' }>;

const FAILURE_CODES: Record<FollowFailure, ReasonCode> = {
  timeout: CliErrorCode.rotationStuck,
  'version-gone': ErrorCode.versionNotStaged,
  'label-removed': ErrorCode.versionNotPending,
  cancelled: ErrorCode.rotationNotEnabled,
};

function stuckState(result: Failed, versionId: string): string {
  switch (result.reached) {
    case undefined:
      return `RotateSecret was accepted but AWSPENDING never appeared on version ${versionId}`;
    case 'pending':
      return `createSecret: AWSPENDING is on version ${versionId}, which has no value (the new key was never staged)`;
    default:
      return `testSecret/finishSecret: the new key is staged on version ${versionId} but AWSCURRENT did not move`;
  }
}

/** The diagnosis of the rotation's pending version; a failure to diagnose is reported, not thrown. */
async function diagnoseQuietly(
  ctx: CliContext,
  secretId: string,
  versionId: string,
  instanceKeyOption: string | undefined,
): Promise<{ diagnosis?: PendingDiagnosis; problem?: string }> {
  try {
    const snapshot = await readSecretSnapshot(ctx.store(), secretId);
    const { pending } = snapshot;
    if (pending?.versionId !== versionId) return {};
    return { diagnosis: await diagnoseSnapshotPending(ctx, { ...snapshot, pending }, instanceKeyOption) };
  } catch (error) {
    return { problem: `the diagnosis itself failed: ${(error as Error).message}` };
  }
}

/** Why the rotation did not complete: the state, the pending version's diagnosis, and the function's own record. */
async function explainFailure(
  ctx: CliContext,
  metadata: SecretMetadata,
  versionId: string,
  result: Failed,
  options: StartOptions,
): Promise<Omit<Extract<RotateOutcome, { outcome: 'failed' }>, 'events'>> {
  const { diagnosis, problem } =
    result.failure === 'timeout' || result.failure === 'cancelled'
      ? await diagnoseQuietly(ctx, metadata.arn, versionId, options.instanceKeySecret)
      : {};
  const functionLog = await readFunctionLog({
    path: ctx.functionLogPath,
    functionArn: metadata.rotationLambdaArn,
    secretArn: metadata.arn,
    versionId,
  });
  return {
    outcome: 'failed',
    failure: result.failure,
    code: diagnosis?.code ?? FAILURE_CODES[result.failure],
    reason: diagnosis === undefined ? result.message : `${result.message}; ${diagnosis.reason}`,
    stuckIn: stuckState(result, versionId),
    elapsedMs: result.elapsedMs,
    diagnosis,
    problem,
    functionLog,
  };
}

/** AWSCURRENT's previousKeyExpiresAt after the rotation, if its value says. */
async function previousKeyExpiresAt(ctx: CliContext, metadata: SecretMetadata): Promise<string | undefined> {
  const value = await ctx.store().getValue(metadata.arn, { stage: Stage.current });
  try {
    return parseMachineSecret(value?.secretString, `AWSCURRENT of ${metadata.name}`).previousKeyExpiresAt;
  } catch {
    return undefined;
  }
}

/**
 * RotateSecret with a fresh version id; with `wait`, follows the rotation (progress lines as it goes) until
 * AWSCURRENT moves or it fails, and explains a failure.
 */
export async function startRotation(
  ctx: CliContext,
  metadata: SecretMetadata,
  options: StartOptions,
): Promise<RotateReport> {
  const previousVersionId = versionWithStage(metadata, Stage.current);
  const token = ctx.randomUUID();
  const started = await ctx
    .store()
    .rotate({ secretId: metadata.arn, clientRequestToken: token, rotateImmediately: true });
  const versionId = started.versionId ?? token;
  const report = {
    secret: { name: metadata.name, arn: metadata.arn },
    versionId,
    previousVersionId,
    emergency: options.emergency,
  };
  if (!options.wait) return { ...report, result: { outcome: 'started' } };

  ctx.output.line(`Rotating ${metadata.name}: version ${versionId} (AWSCURRENT was ${previousVersionId ?? 'none'})`);
  const events: RotationProgress[] = [];
  const result = await followRotation(
    { store: ctx.store(), clock: ctx.clock, sleep: ctx.sleep, signal: ctx.signal },
    {
      secretId: metadata.arn,
      versionId,
      previousVersionId,
      timeoutMs: options.timeout * 1000,
      pollIntervalMs: options.pollInterval * 1000,
      cleanupGraceMs: CliDefaults.pendingCleanupGraceSeconds * 1000,
      onProgress: (progress) => {
        events.push(progress);
        ctx.output.line(`  +${(progress.elapsedMs / 1000).toFixed(1).padStart(5)} s  ${progress.message}`);
      },
    },
  );
  if (result.outcome === 'failed') {
    return { ...report, result: { ...(await explainFailure(ctx, metadata, versionId, result, options)), events } };
  }
  const promoted = {
    outcome: 'promoted' as const,
    elapsedMs: result.elapsedMs,
    leftoverPendingLabel: result.leftoverPendingLabel,
    events,
    now: ctx.clock.now(),
  };
  return { ...report, result: { ...promoted, previousKeyExpiresAt: await previousKeyExpiresAt(ctx, metadata) } };
}
