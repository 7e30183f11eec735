import { classifyRotateRecords, landingHorizonEnd } from '../core/rotateRecords.ts';
import type { SecretDescription, SecretStore } from '../core/SecretStore.ts';
import { ErrorCode } from '../errors.ts';
import { OperationError } from './errors.ts';
import { formatInstant, formatRelative } from './formatTime.ts';

/**
 * A rotate the rotation function recorded on the secret (tag `clerk-rotator:rotate-sent:…`) that may still land at
 * Clerk: until `until` nothing may rotate, adopt a changed key, or clear the label that would let another rotation
 * start (docs/decisions/007-landing-horizon.md).
 */
export interface RotateInFlight {
  readonly versionId: string;
  /** Sent at or before this moment (epoch ms). */
  readonly sentAt: number;
  /** The end of its landing horizon (epoch ms): the first moment anything may act. */
  readonly until: number;
}

/**
 * The secret's rotates in flight, the latest horizon end first. The horizon is the function's
 * ROTATE_LANDING_HORIZON_SECONDS as the CLI's own environment gives it (default 600 s): the CLI cannot read the
 * function's environment.
 */
export async function readRotatesInFlight(
  store: Pick<SecretStore, 'getSecretVersion'>,
  secret: Pick<SecretDescription, 'arn' | 'tags'>,
  options: { readonly now: number; readonly horizonSeconds: number },
): Promise<RotateInFlight[]> {
  const { inFlight } = await classifyRotateRecords(store, secret, options);
  return inFlight
    .map((record) => ({
      versionId: record.versionId,
      sentAt: record.sentAt,
      until: landingHorizonEnd(record, options.horizonSeconds),
    }))
    .sort((a, b) => b.until - a.until);
}

/** "a rotate sent to Clerk at or before … (version …) may still land until … (in …)". */
export function describeRotateInFlight(rotate: RotateInFlight, now: number): string {
  return `a rotate sent to Clerk at or before ${formatInstant(rotate.sentAt)} (version ${rotate.versionId}) may still land until ${formatInstant(rotate.until)} (${formatRelative(rotate.until, now)})`;
}

/** The refusal of a change that must wait for the landing horizon: what waits, until when; nothing was changed. */
export function rotateInFlightRefusal(
  secretName: string,
  rotate: RotateInFlight,
  now: number,
  what: string,
): OperationError {
  return new OperationError(
    ErrorCode.rotateInFlight,
    `${secretName}: ${describeRotateInFlight(rotate, now)}; ${what} acts only after that, so that no second rotate can happen at Clerk; nothing was changed`,
    { details: { progressAt: new Date(rotate.until).toISOString() } },
  );
}
