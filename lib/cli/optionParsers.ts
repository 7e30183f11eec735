import { InvalidArgumentError } from 'commander';
import { Limits } from '../constants.ts';
import type { RotationRules } from '../core/SecretStore.ts';
import { describeValue } from '../describeValue.ts';
import { isValidMachineId } from '../secretFormat.ts';

/**
 * commander argument parsers: each throws InvalidArgumentError (exit 2) with what was received and what is allowed.
 */

function wholeNumber(raw: string, min: number, max: number, unit: string): number {
  const trimmed = raw.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `must be a whole number of ${unit} from ${min} to ${max}, got ${describeValue(raw)}.`,
    );
  }
  return value;
}

/** `--previous-key-ttl`: what Clerk allows for previous_token_ttl. */
export function parsePreviousKeyTtl(raw: string): number {
  return wholeNumber(raw, Limits.previousKeyTtlSeconds.min, Limits.previousKeyTtlSeconds.max, 'seconds');
}

/** Seconds from `min` to a day, for thresholds such as `--stuck-after` and `--refresh-window`. */
export function secondsParser(min: number, max = 86_400): (raw: string) => number {
  return (raw) => wholeNumber(raw, min, max, 'seconds');
}

/** A positive number of seconds with decimals (`--timeout 2.5`, `--poll-interval 0.2`), at most `max`. */
export function positiveSecondsParser(max: number): (raw: string) => number {
  return (raw) => {
    const trimmed = raw.trim();
    const value = /^\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!(value > 0 && value <= max)) {
      throw new InvalidArgumentError(
        `must be a number of seconds above 0 and at most ${max}, got ${describeValue(raw)}.`,
      );
    }
    return value;
  };
}

/**
 * `--schedule`: a whole number of days (AutomaticallyAfterDays, 1–1000) or a Secrets Manager schedule expression,
 * `rate(N hours|days)` or `cron(…)` (Secrets Manager validates the rest).
 */
export function parseSchedule(raw: string): RotationRules {
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) {
    const days = Number(trimmed);
    if (days < 1 || days > 1000) {
      throw new InvalidArgumentError(`a number of days must be from 1 to 1000, got ${describeValue(raw)}.`);
    }
    return { automaticallyAfterDays: days };
  }
  if (/^rate\(\s*\d+\s+(?:hour|hours|day|days)\s*\)$/.test(trimmed) || /^cron\(.+\)$/.test(trimmed)) {
    return { scheduleExpression: trimmed };
  }
  throw new InvalidArgumentError(
    `must be a number of days (1-1000), rate(N hours|days) or cron(...), got ${describeValue(raw)}.`,
  );
}

/** `--rotation-function`: a Lambda function ARN (Secrets Manager invokes it; a name alone is not enough). */
export function parseLambdaArn(raw: string): string {
  const trimmed = raw.trim();
  if (!/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/.test(trimmed)) {
    throw new InvalidArgumentError(
      `must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>), got ${describeValue(raw)}.`,
    );
  }
  return trimmed;
}

/** A secret name for CreateSecret: 1–512 of letters, digits and /_+=.@- (Secrets Manager's rule). */
export function parseSecretName(raw: string): string {
  if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(raw)) {
    throw new InvalidArgumentError(
      `must be 1-512 letters, digits and /_+=.@- (Secrets Manager's rule for names), got ${describeValue(raw)}.`,
    );
  }
  return raw;
}

/** A secret id (name or ARN) as given to a command. */
export function parseSecretId(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) {
    throw new InvalidArgumentError(`must be a secret name or ARN (1-2048 characters), got ${describeValue(raw)}.`);
  }
  return trimmed;
}

/** `init <machineId>`: Clerk's machine id form. */
export function parseMachineIdArgument(raw: string): string {
  if (!isValidMachineId(raw)) {
    throw new InvalidArgumentError(
      `must be a Clerk machine id ("mch_" plus letters and digits), got ${describeValue(raw)}.`,
    );
  }
  return raw;
}
