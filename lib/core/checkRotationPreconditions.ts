import { Stage } from '../constants.ts';
import { ErrorCode, RotationStateError } from '../errors.ts';
import type { RotationEvent } from './parseRotationEvent.ts';
import type { SecretDescription } from './SecretStore.ts';

/** `arn:aws:lambda:region:account:function:name[:qualifier]` without the version or alias. */
export function unqualifiedFunctionArn(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}

export type Preconditions = 'proceed' | 'alreadyCurrent';

/**
 * The preamble of every step, as in AWS's template, plus a guard that this function is the one configured on the
 * secret (so it cannot be pointed at secrets it was not set up for).
 */
export function checkRotationPreconditions(
  secret: SecretDescription,
  event: RotationEvent,
  invokedFunctionArn: string,
): Preconditions {
  if (!secret.rotationEnabled) {
    throw new RotationStateError(
      ErrorCode.rotationNotEnabled,
      `secret ${secret.arn} is not enabled for rotation (DescribeSecret has no RotationEnabled=true); enable rotation with this function first`,
    );
  }
  const configured = secret.rotationLambdaArn;
  if (configured === undefined || unqualifiedFunctionArn(configured) !== unqualifiedFunctionArn(invokedFunctionArn)) {
    throw new RotationStateError(
      ErrorCode.rotationFunctionMismatch,
      `secret ${secret.arn} is configured to rotate with ${configured ?? 'no function'}, not with this function (${unqualifiedFunctionArn(invokedFunctionArn)}); refusing to rotate a secret this function was not set up for`,
    );
  }
  const stages = secret.versionIdsToStages[event.token];
  if (stages === undefined) {
    throw new RotationStateError(
      ErrorCode.versionNotStaged,
      `version ${event.token} is not a version of secret ${secret.arn}; Secrets Manager stages it before invoking the function`,
    );
  }
  if (stages.includes(Stage.current)) return 'alreadyCurrent';
  if (!stages.includes(Stage.pending)) {
    throw new RotationStateError(
      ErrorCode.versionNotPending,
      `version ${event.token} of secret ${secret.arn} is not labelled AWSPENDING (labels: ${stages.join(', ') || 'none'}); it is not the version being rotated`,
    );
  }
  return 'proceed';
}
