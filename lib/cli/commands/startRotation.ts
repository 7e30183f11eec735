import { Stage } from '../../constants.ts';
import { type SecretDescription, versionWithStage } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import { parseMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { OperationError } from '../errors.ts';
import { followRotation, type RotationProgress } from '../followRotation.ts';
import { explainRotationFailure } from './explainRotationFailure.ts';
import type { RotateReport } from './rotateReport.ts';

export interface StartOptions {
  readonly wait: boolean;
  readonly timeout: number;
  readonly pollInterval: number;
  readonly emergency: boolean;
  readonly instanceKeySecret?: string | undefined;
}

/** AWSCURRENT's previousKeyExpiresAt after the rotation, if its value says. */
async function previousKeyExpiresAt(ctx: CliContext, metadata: SecretDescription): Promise<string | undefined> {
  const value = await ctx.store().getSecretVersion(metadata.arn, { stage: Stage.current });
  try {
    return parseMachineSecret(value?.secretString, `AWSCURRENT of ${metadata.name}`).previousKeyExpiresAt;
  } catch {
    return undefined;
  }
}

/**
 * RotateSecret with the stored configuration; the SDK gives it a fresh ClientRequestToken (kept across its own
 * retries), which becomes the new version's id.
 */
async function startedVersion(ctx: CliContext, secret: SecretDescription): Promise<string> {
  const versionId = await ctx.store().startRotation(secret.arn);
  if (versionId === undefined) {
    throw new OperationError(
      ErrorCode.versionNotStaged,
      `RotateSecret on ${secret.name} was accepted but its answer named no version; follow the rotation with \`status\``,
    );
  }
  return versionId;
}

/**
 * Starts a rotation; with `wait`, follows it (progress lines as it goes) until AWSCURRENT moves or it fails, and
 * explains a failure.
 */
export async function startRotation(
  ctx: CliContext,
  metadata: SecretDescription,
  options: StartOptions,
): Promise<RotateReport> {
  const previousVersionId = versionWithStage(metadata, Stage.current);
  const versionId = await startedVersion(ctx, metadata);
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
    const failed = await explainRotationFailure(ctx, metadata, versionId, result, options.instanceKeySecret);
    return { ...report, result: { ...failed, events } };
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
