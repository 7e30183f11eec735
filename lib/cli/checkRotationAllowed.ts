import { Defaults, Limits, Stage, TagKey } from '../constants.ts';
import { lastRotation, minimumIntervalWaitMs } from '../core/checkMinimumInterval.ts';
import { type SecretDescription, type SecretStore, versionWithStage } from '../core/SecretStore.ts';
import { describeValue } from '../describeValue.ts';
import { ErrorCode } from '../errors.ts';
import { parseMachineSecret } from '../secretFormat.ts';
import { CliDefaults } from './CliDefaults.ts';
import { CliErrorCode, OperationError } from './errors.ts';
import { formatDuration, formatInstant } from './formatTime.ts';
import { readRotatesInFlight, rotateInFlightRefusal } from './rotatesInFlight.ts';

/** The function's own setting for secrets without the tag, as far as the CLI knows it. */
export interface DefaultInterval {
  readonly seconds: number;
  readonly source: string;
}

/** The minimum interval the rotation function applies to this secret: its tag, else the function's setting. */
function minimumIntervalOf(tags: Readonly<Record<string, string>>, fallback: DefaultInterval): DefaultInterval {
  const tag = TagKey.minRotationIntervalSeconds;
  const raw = tags[tag];
  if (raw === undefined) return fallback;
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

/** The later of AWSCURRENT's `rotatedAt` and LastRotatedDate, as the function reads them. */
async function lastRotationOf(store: SecretStore, secret: SecretDescription, now: number, onNote: (n: string) => void) {
  const value = await store.getSecretVersion(secret.arn, { stage: Stage.current });
  let rotatedAt: string | undefined;
  try {
    rotatedAt = parseMachineSecret(value?.secretString, `AWSCURRENT of ${secret.name}`).rotatedAt;
  } catch {
    // An invalid AWSCURRENT is the function's to report (createSecret refuses it); LastRotatedDate still counts.
    rotatedAt = undefined;
  }
  const last = lastRotation({ rotatedAt, lastRotatedDate: secret.lastRotatedDate }, now);
  if (last.ignoredFutureRotatedAt !== undefined) {
    onNote(
      `note: AWSCURRENT's rotatedAt ${last.ignoredFutureRotatedAt} lies in the future; it is ignored, as the function does`,
    );
  }
  return last;
}

/**
 * Refuses, before anything changes, a rotation the function would refuse or Secrets Manager would not start: no
 * rotation function (ROTATION_NOT_ENABLED), a recorded rotate that may still land (ROTATE_IN_FLIGHT), a previous
 * rotation not complete (ROTATION_STUCK), and — unless the minimum interval is being lifted (`--emergency`) — one too
 * soon after the last (ROTATION_TOO_SOON), by the function's own rule: the later of AWSCURRENT's `rotatedAt` and
 * LastRotatedDate, plus the interval.
 */
export async function checkRotationAllowed(
  store: SecretStore,
  secret: SecretDescription,
  options: {
    readonly now: number;
    readonly horizonSeconds: number;
    readonly checkInterval: boolean;
    /** For a secret without the interval tag. @default the package default */
    readonly defaultInterval?: DefaultInterval;
    readonly onNote: (note: string) => void;
  },
): Promise<void> {
  const { now } = options;
  if (secret.rotationLambdaArn === undefined) {
    throw new OperationError(
      ErrorCode.rotationNotEnabled,
      `${secret.name} has no rotation function (RotationLambdaARN is empty); rotate needs one: ${CliDefaults.programName} init <machineId> --adopt ${secret.name} --rotation-function <arn> --schedule <days> sets it`,
    );
  }
  const [inFlight] = await readRotatesInFlight(store, secret, { now, horizonSeconds: options.horizonSeconds });
  if (inFlight !== undefined) throw rotateInFlightRefusal(secret.name, inFlight, now, 'rotate');
  const current = versionWithStage(secret, Stage.current);
  const pending = versionWithStage(secret, Stage.pending);
  if (pending !== undefined && pending !== current) {
    throw new OperationError(
      CliErrorCode.rotationStuck,
      `a previous rotation of ${secret.name} is not complete: AWSPENDING is on version ${pending}, not on AWSCURRENT (${current ?? 'none'}); Secrets Manager starts a rotation only when no other version carries AWSPENDING`,
    );
  }
  if (!options.checkInterval) return;
  const interval = minimumIntervalOf(
    secret.tags,
    options.defaultInterval ?? { seconds: Defaults.minRotationIntervalSeconds, source: 'the default' },
  );
  if (interval.seconds === 0) return;

  const last = await lastRotationOf(store, secret, now, options.onNote);
  const waitMs = minimumIntervalWaitMs(last, interval.seconds, now);
  if (waitMs > 0 && last.at !== undefined) {
    const possibleAt = now + waitMs;
    throw new OperationError(
      ErrorCode.rotationTooSoon,
      `${secret.name} was last rotated at ${formatInstant(last.at)} (${formatDuration(now - last.at)} ago) and the minimum interval between rotations is ${interval.seconds} s (${interval.source}): a rotation is possible from ${formatInstant(possibleAt)} (in ${formatDuration(Math.ceil(waitMs / 1000) * 1000)}); nothing was changed`,
      { details: { lastRotatedAt: new Date(last.at).toISOString(), possibleAt: new Date(possibleAt).toISOString() } },
    );
  }
}
