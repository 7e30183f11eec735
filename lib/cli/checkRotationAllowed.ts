import { Defaults, Limits, Stage, TagKey } from '../constants.ts';
import { lastRotation, minimumIntervalWaitMs } from '../core/checkMinimumInterval.ts';
import { versionWithStage } from '../core/SecretStore.ts';
import { describeValue } from '../describeValue.ts';
import { ErrorCode } from '../errors.ts';
import { parseMachineSecret } from '../secretFormat.ts';
import { CliDefaults } from './CliDefaults.ts';
import type { OperatorSecretStore, SecretMetadata } from './createOperatorSecretStore.ts';
import { CliErrorCode, OperationError } from './errors.ts';
import { formatDuration, formatInstant } from './formatTime.ts';

/** The minimum interval the rotation function applies to this secret: its tag, else the package default. */
function minimumIntervalOf(tags: Readonly<Record<string, string>>): { seconds: number; source: string } {
  const tag = TagKey.minRotationIntervalSeconds;
  const raw = tags[tag];
  if (raw === undefined) return { seconds: Defaults.minRotationIntervalSeconds, source: 'the default' };
  const { min, max } = Limits.minRotationIntervalSeconds;
  const seconds = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < min || seconds > max) {
    // The function refuses such a secret (CONFIG_INVALID): a rotation started now could only fail.
    throw new OperationError(
      ErrorCode.configInvalid,
      `secret tag ${tag} must be a whole number of seconds from ${min} to ${max}, got ${describeValue(raw)}`,
    );
  }
  return { seconds, source: `secret tag ${tag}` };
}

/**
 * Refuses, before anything changes, a rotation the function would refuse or Secrets Manager would not start: no
 * rotation function (ROTATION_NOT_ENABLED), a previous rotation not complete (ROTATION_STUCK), and — unless the
 * minimum interval is being lifted (`--emergency`) — one too soon after the last (ROTATION_TOO_SOON), by the
 * function's own rule: the later of AWSCURRENT's `rotatedAt` and LastRotatedDate, plus the interval.
 */
export async function checkRotationAllowed(
  store: OperatorSecretStore,
  metadata: SecretMetadata,
  options: { readonly now: number; readonly checkInterval: boolean; readonly onNote: (note: string) => void },
): Promise<void> {
  if (metadata.rotationLambdaArn === undefined) {
    throw new OperationError(
      ErrorCode.rotationNotEnabled,
      `${metadata.name} has no rotation function (RotationLambdaARN is empty); rotate needs one: ${CliDefaults.programName} init <machineId> --adopt ${metadata.name} --rotation-function <arn> --schedule <days> sets it`,
    );
  }
  const current = versionWithStage(metadata, Stage.current);
  const pending = versionWithStage(metadata, Stage.pending);
  if (pending !== undefined && pending !== current) {
    throw new OperationError(
      CliErrorCode.rotationStuck,
      `a previous rotation of ${metadata.name} is not complete: AWSPENDING is on version ${pending}, not on AWSCURRENT (${current ?? 'none'}); Secrets Manager starts a rotation only when no other version carries AWSPENDING`,
    );
  }
  if (!options.checkInterval) return;
  const interval = minimumIntervalOf(metadata.tags);
  if (interval.seconds === 0) return;

  const value = await store.getValue(metadata.arn, { stage: Stage.current });
  let rotatedAt: string | undefined;
  try {
    rotatedAt = parseMachineSecret(value?.secretString, `AWSCURRENT of ${metadata.name}`).rotatedAt;
  } catch {
    // An invalid AWSCURRENT is the function's to report (createSecret refuses it); LastRotatedDate still counts.
    rotatedAt = undefined;
  }
  const { now } = options;
  const last = lastRotation({ rotatedAt, lastRotatedDate: metadata.lastRotatedAt }, now);
  if (last.ignoredFutureRotatedAt !== undefined) {
    options.onNote(
      `note: AWSCURRENT's rotatedAt ${last.ignoredFutureRotatedAt} lies in the future; it is ignored, as the function does`,
    );
  }
  const waitMs = minimumIntervalWaitMs(last, interval.seconds, now);
  if (waitMs > 0 && last.at !== undefined) {
    const possibleAt = now + waitMs;
    throw new OperationError(
      ErrorCode.rotationTooSoon,
      `${metadata.name} was last rotated at ${formatInstant(last.at)} (${formatDuration(now - last.at)} ago) and the minimum interval between rotations is ${interval.seconds} s (${interval.source}): a rotation is possible from ${formatInstant(possibleAt)} (in ${formatDuration(Math.ceil(waitMs / 1000) * 1000)}); nothing was changed`,
      { details: { lastRotatedAt: new Date(last.at).toISOString(), possibleAt: new Date(possibleAt).toISOString() } },
    );
  }
}
