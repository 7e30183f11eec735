import { randomUUID } from 'node:crypto';
import { RotationStep } from '../constants.ts';
import { ClerkApiError, isRotatorError } from '../errors.ts';
import { checkRotationPreconditions } from './checkRotationPreconditions.ts';
import { confirmPendingVersion } from './confirmPendingVersion.ts';
import { createPendingVersion } from './createPendingVersion.ts';
import { parseRotationEvent } from './parseRotationEvent.ts';
import { completePromotion, promotePendingVersion } from './promotePendingVersion.ts';
import type { ClerkTimingSettings, RotationContext, RotationPorts, StepOutcome } from './RotationContext.ts';
import { type FunctionSettings, resolveRotationSettings } from './rotationSettings.ts';
import { testPendingVersion } from './testPendingVersion.ts';

export interface RunStepInput {
  readonly event: unknown;
  readonly invokedFunctionArn: string;
  readonly functionSettings: FunctionSettings;
  readonly deadline: number;
  readonly clerkTiming: ClerkTimingSettings;
}

const STEPS: Record<RotationStep, (context: RotationContext) => Promise<StepOutcome>> = {
  [RotationStep.createSecret]: createPendingVersion,
  [RotationStep.setSecret]: confirmPendingVersion,
  [RotationStep.testSecret]: testPendingVersion,
  [RotationStep.finishSecret]: promotePendingVersion,
};

/**
 * One invocation of the rotation function: parse the event, run the preamble, dispatch on the step, and log one
 * line for the outcome with fixed keys. Errors are logged with their code and rethrown so Secrets Manager sees the
 * step fail (and retries the rotation).
 */
export async function runRotationStep(ports: RotationPorts, input: RunStepInput): Promise<StepOutcome> {
  // Durations come from the monotonic timer: the injected clock is wall time, which tests and the demo move.
  const started = performance.now();
  let logger = ports.logger;
  try {
    const event = parseRotationEvent(input.event);
    logger = logger.child({ step: event.step, secretArn: event.secretId, versionId: event.token });
    const secret = await ports.store.describeSecret(event.secretId);
    logger = logger.child({ secretArn: secret.arn });
    const preconditions = checkRotationPreconditions(secret, event, input.invokedFunctionArn);
    const settings = resolveRotationSettings(input.functionSettings, secret.tags);
    const context: RotationContext = {
      ...ports,
      ...input.clerkTiming,
      newWriterId: ports.newWriterId ?? randomUUID,
      logger,
      event,
      secret,
      settings,
      deadline: input.deadline,
    };

    let result: StepOutcome;
    if (preconditions === 'alreadyCurrent') {
      result =
        event.step === RotationStep.finishSecret ? await completePromotion(context) : { outcome: 'already-current' };
    } else {
      result = await STEPS[event.step](context);
    }
    logger.info(`${event.step} ${result.outcome}`, {
      outcome: result.outcome,
      machineId: result.machineId,
      adopted: result.adopted,
      durationMs: Math.round(performance.now() - started),
    });
    return result;
  } catch (error) {
    logger.error(isRotatorError(error) ? error.message : `unexpected error: ${(error as Error)?.name ?? 'unknown'}`, {
      outcome: 'failed',
      errorCode: isRotatorError(error) ? error.code : 'UNEXPECTED',
      clerkTraceId: error instanceof ClerkApiError ? error.clerkTraceId : undefined,
      durationMs: Math.round(performance.now() - started),
    });
    throw error;
  }
}
