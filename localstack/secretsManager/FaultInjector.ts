import { InvalidEmulatorOptionError } from '../common/errors.ts';
import { FaultInjector as SharedFaultInjector } from '../common/FaultInjector.ts';
import type { RandomSource } from '../common/seededRandom.ts';
import { SECRETS_MANAGER_OPERATIONS, type SecretsManagerOperation } from './secretsManagerOperations.ts';

/** An operation name such as `GetSecretValue` (an unknown name throws, so a typo cannot silently never match), or '*'. */
export type OperationMatcher = SecretsManagerOperation | (string & {});

/** What a matcher sees of a call: its operation. */
export interface FaultTarget {
  readonly operation: string;
}

const compileMatcher = (matcher: OperationMatcher): ((target: FaultTarget) => boolean) => {
  if (!(SECRETS_MANAGER_OPERATIONS as readonly string[]).includes(matcher)) {
    throw new InvalidEmulatorOptionError(
      'operation',
      `must be one of ${SECRETS_MANAGER_OPERATIONS.join(', ')} or '*', got '${String(matcher)}'`,
    );
  }
  return (target) => target.operation === matcher;
};

/**
 * The shared fault-injection API (failNext, respondWith, dropBeforeProcessing, dropAfterProcessing, addLatency,
 * landLate, answerNowProcessLater, randomly) matched by operation name. Injected errors are AWS JSON errors: code
 * default InternalServiceError (500); any `code` becomes `error.name` in the SDK, with status 400 unless given.
 */
export class FaultInjector extends SharedFaultInjector<OperationMatcher, FaultTarget> {
  constructor(random: RandomSource) {
    super(random, compileMatcher);
  }
}
