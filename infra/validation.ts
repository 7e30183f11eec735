import { Duration, Token } from 'aws-cdk-lib';
import { MACHINE_ID_PATTERN } from '../lib/constants.ts';

/** A construct property outside what Secrets Manager, Clerk or the rotation function accept. */
export class RotatorPropsError extends Error {
  override readonly name = 'RotatorPropsError';
  /** The property, e.g. `previousKeyTtl` or `addMachine(Api).machineId`. */
  readonly property: string;

  constructor(property: string, message: string) {
    super(`${property} ${message}`);
    this.property = property;
  }
}

export function describeDuration(duration: Duration): string {
  if (duration.isUnresolved()) return `a token (${duration.formatTokenToNumber()})`;
  const text = duration.toHumanString();
  // toHumanString() renders zero as an empty string.
  return text === '' ? '0 seconds' : text;
}

/**
 * Whole seconds within [min, max]; returns the number of seconds. An unresolved duration is not validated and comes
 * back as a number token.
 */
export function validateSeconds(property: string, duration: Duration, min: Duration, max: Duration): number {
  if (duration.isUnresolved()) return duration.toSeconds();
  const millis = duration.toMilliseconds();
  if (millis < min.toMilliseconds()) {
    throw new RotatorPropsError(
      property,
      `must be at least ${describeDuration(min)}, got ${describeDuration(duration)}`,
    );
  }
  if (millis > max.toMilliseconds()) {
    throw new RotatorPropsError(
      property,
      `must be at most ${describeDuration(max)}, got ${describeDuration(duration)}`,
    );
  }
  if (millis % 1000 !== 0) {
    throw new RotatorPropsError(property, `must be a whole number of seconds, got ${describeDuration(duration)}`);
  }
  return millis / 1000;
}

export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** The minimum itself is not allowed. */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

/** A number within the range; an unresolved token is not validated. */
export function validateNumber(property: string, value: number, range: NumberRange): number {
  if (Token.isUnresolved(value)) return value;
  const aboveMin = range.minExclusive ? value > range.min : value >= range.min;
  if (!Number.isFinite(value) || !aboveMin || value > range.max || (range.integer && !Number.isInteger(value))) {
    const kind = range.integer ? 'a whole number' : 'a number';
    const lower = range.minExclusive ? `greater than ${range.min}` : `at least ${range.min}`;
    throw new RotatorPropsError(property, `must be ${kind} ${lower} and at most ${range.max}, got ${value}`);
  }
  return value;
}

export function validateMachineId(property: string, machineId: string): void {
  if (Token.isUnresolved(machineId)) return;
  if (!MACHINE_ID_PATTERN.test(machineId)) {
    throw new RotatorPropsError(
      property,
      `must match ${MACHINE_ID_PATTERN} ("mch_" followed by up to 64 letters and digits), got ${JSON.stringify(machineId)}`,
    );
  }
}

/** Clerk's API is called with the instance key: only https, and no credentials, query or fragment in the URL. */
export function validateClerkApiUrl(property: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RotatorPropsError(
      property,
      `must be an https URL such as https://api.clerk.com/v1, got ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new RotatorPropsError(property, `must use https, got ${JSON.stringify(`${url.protocol}//${url.host}`)}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new RotatorPropsError(property, 'must not contain credentials, a query or a fragment');
  }
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function validateReplicaRegions(property: string, regions: readonly string[], stackRegion: string): void {
  const seen = new Set<string>();
  for (const region of regions) {
    if (Token.isUnresolved(region)) continue;
    if (!REGION_PATTERN.test(region)) {
      throw new RotatorPropsError(
        property,
        `must contain AWS region names such as eu-west-1, got ${JSON.stringify(region)}`,
      );
    }
    if (seen.has(region)) {
      throw new RotatorPropsError(property, `must not contain a region twice, got ${JSON.stringify(region)} twice`);
    }
    if (!Token.isUnresolved(stackRegion) && region === stackRegion) {
      throw new RotatorPropsError(
        property,
        `must not contain the stack's own region (the secrets' primary region), got ${JSON.stringify(region)}`,
      );
    }
    seen.add(region);
  }
}

/** Secrets Manager names: 1–512 of letters, digits and /_+=.@-. */
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export function validateSecretName(property: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new RotatorPropsError(
      property,
      `must be 1 to 512 letters, digits and the characters /_+=.@- , got ${JSON.stringify(name)}`,
    );
  }
  // A name ending in a hyphen and six characters is mistaken for a complete ARN's random suffix (AWS's own advice).
  if (/-[A-Za-z0-9]{6}$/.test(name)) {
    throw new RotatorPropsError(
      property,
      `must not end with a hyphen followed by six characters (it looks like the random suffix of a secret ARN), got ${JSON.stringify(name)}`,
    );
  }
}

export const ZERO = Duration.seconds(0);
