import { ROTATION_STEPS, type RotationStep } from '../constants.ts';
import { describeValue } from '../describeValue.ts';
import { EventError } from '../errors.ts';

export interface RotationEvent {
  readonly step: RotationStep;
  /** The secret's ARN, as Secrets Manager sends it (a name also works with the SDK). */
  readonly secretId: string;
  /** The new version's id: the idempotency key of the whole rotation. */
  readonly token: string;
  /** Identifies the caller to PutSecretValue; passed through, never logged. */
  readonly rotationToken: string | undefined;
}

/** Secrets Manager's ClientRequestToken: 32–64 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9-]{32,64}$/;

export function parseRotationEvent(event: unknown): RotationEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new EventError(`expected an object with Step, SecretId and ClientRequestToken, got ${describeValue(event)}`);
  }
  const record = event as Record<string, unknown>;
  const step = record.Step;
  if (typeof step !== 'string' || !(ROTATION_STEPS as readonly string[]).includes(step)) {
    throw new EventError(`Step must be one of ${ROTATION_STEPS.join(', ')}, got ${describeValue(step)}`);
  }
  const secretId = record.SecretId;
  if (typeof secretId !== 'string' || secretId.length === 0 || secretId.length > 2048) {
    throw new EventError(`SecretId must be a non-empty string (the secret's ARN), got ${describeValue(secretId)}`);
  }
  const token = record.ClientRequestToken;
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    throw new EventError(
      `ClientRequestToken must be 32 to 64 letters, digits or hyphens (a version id), got ${describeValue(token)}`,
    );
  }
  const rotationToken = record.RotationToken;
  if (rotationToken !== undefined && typeof rotationToken !== 'string') {
    // The value is a credential of sorts: describe only its type.
    throw new EventError(`RotationToken must be a string when present, got a ${typeof rotationToken}`);
  }
  return { step: step as RotationStep, secretId, token, rotationToken };
}
