import type { SecretDescription } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import type { CliContext } from '../CliContext.ts';
import { diagnoseSnapshotPending, type PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { CliErrorCode, type ReasonCode } from '../errors.ts';
import type { FollowFailure, FollowResult } from '../followRotation.ts';
import { formatInstant, formatRelative } from '../formatTime.ts';
import { type FunctionLogReport, readFunctionLog } from '../readFunctionLog.ts';
import { readSecretSnapshot } from '../readSecretSnapshot.ts';
import { type RotateInFlight, readRotatesInFlight } from '../rotatesInFlight.ts';
import type { RotateOutcome } from './rotateReport.ts';

type Failed = Extract<FollowResult, { outcome: 'failed' }>;
export type FailedOutcome = Omit<Extract<RotateOutcome, { outcome: 'failed' }>, 'events'>;

const FAILURE_CODES: Record<FollowFailure, ReasonCode> = {
  timeout: CliErrorCode.rotationStuck,
  'version-gone': ErrorCode.versionNotStaged,
  'label-removed': ErrorCode.versionNotPending,
  cancelled: ErrorCode.rotationNotEnabled,
};

/** The codes with which the function waits out a landing horizon instead of failing for good. */
const WAITING_CODES = new Set<string>([ErrorCode.rotateInFlight, ErrorCode.rotateOutcomeUnknown]);

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

/** A rotate recorded on the secret that may still land, read after the failure (none when it cannot be read). */
async function rotateStillInFlight(ctx: CliContext, secretArn: string): Promise<RotateInFlight | undefined> {
  try {
    const secret = await ctx.store().describeSecret(secretArn);
    const horizonSeconds = ctx.functionSettings().rotateLandingHorizonSeconds;
    return (await readRotatesInFlight(ctx.store(), secret, { now: ctx.clock.now(), horizonSeconds }))[0];
  } catch {
    return undefined;
  }
}

/**
 * A rotation that is waiting out a landing horizon is not stuck: the function refuses to decide until a rotate that
 * may still land can no longer land (ROTATE_IN_FLIGHT, ROTATE_OUTCOME_UNKNOWN), and makes progress after that.
 */
function waitingOutcome(result: Failed, inFlight: RotateInFlight, functionLog: FunctionLogReport, now: number) {
  const recorded = functionLog.source === 'file' ? functionLog.errors.at(-1)?.errorCode : undefined;
  const code = recorded !== undefined && WAITING_CODES.has(recorded) ? recorded : ErrorCode.rotateInFlight;
  const until = `${formatInstant(inFlight.until)} (${formatRelative(inFlight.until, now)})`;
  return {
    code: code as ReasonCode,
    reason: `${result.message}; not stuck: a rotate sent to Clerk at or before ${formatInstant(inFlight.sentAt)} (version ${inFlight.versionId}) may still land until ${until}, and the rotation function makes progress on its first attempt after that`,
    stuckIn: `createSecret: the landing horizon of a rotate sent to Clerk ends at ${until}`,
  };
}

/** Why the rotation did not complete: the state, the pending version's diagnosis, and the function's own record. */
export async function explainRotationFailure(
  ctx: CliContext,
  secret: SecretDescription,
  versionId: string,
  result: Failed,
  instanceKeyOption: string | undefined,
): Promise<FailedOutcome> {
  const functionLog = await readFunctionLog({
    path: ctx.functionLogPath,
    functionArn: secret.rotationLambdaArn,
    secretArn: secret.arn,
    versionId,
  });
  const base = { outcome: 'failed' as const, failure: result.failure, elapsedMs: result.elapsedMs, functionLog };
  const inFlight = await rotateStillInFlight(ctx, secret.arn);
  if (inFlight !== undefined) {
    const waiting = waitingOutcome(result, inFlight, functionLog, ctx.clock.now());
    return { ...base, ...waiting, inFlight, diagnosis: undefined, problem: undefined };
  }
  const { diagnosis, problem } =
    result.failure === 'timeout' || result.failure === 'cancelled'
      ? await diagnoseQuietly(ctx, secret.arn, versionId, instanceKeyOption)
      : {};
  return {
    ...base,
    code: diagnosis?.code ?? FAILURE_CODES[result.failure],
    reason: diagnosis === undefined ? result.message : `${result.message}; ${diagnosis.reason}`,
    stuckIn: stuckState(result, versionId),
    inFlight: undefined,
    diagnosis,
    problem,
  };
}
