import { type MachineKeyRotatedEvent, parseMachineKeyRotatedEvent } from '../MachineKeyRotatedEvent.ts';
import type { MachineKeyProvider } from './MachineKeyProvider.ts';
import type { ReaderLogger } from './ReaderLogger.ts';

export interface RotationEventResult {
  /** Cache keys of the providers whose cached value was invalidated. */
  readonly invalidated: readonly string[];
}

export type RotationEventHandler = (event: unknown) => Promise<RotationEventResult>;

export interface RotationEventHandlerOptions {
  readonly logger?: Pick<ReaderLogger, 'debug'>;
}

/**
 * A Lambda handler for the rotation function's `clerk-machine-key-rotated` notification: invalidates the cached
 * value of every provider for that secret, so the next get() reads the new version instead of waiting out maxAge.
 * An event of another shape throws EventError. Lambda delivers an asynchronous event to one execution environment
 * only: the others still rely on maxAge and the 401 retry, which is why the notification is an optimisation.
 */
export function createRotationEventHandler(
  providers:
    | Pick<MachineKeyProvider, 'matchesSecretId' | 'invalidate' | 'cacheKey'>
    | ReadonlyArray<Pick<MachineKeyProvider, 'matchesSecretId' | 'invalidate' | 'cacheKey'>>,
  options: RotationEventHandlerOptions = {},
): RotationEventHandler {
  const list = Array.isArray(providers)
    ? [...providers]
    : [providers as Pick<MachineKeyProvider, 'matchesSecretId' | 'invalidate' | 'cacheKey'>];
  return async (input) => {
    const event: MachineKeyRotatedEvent = parseMachineKeyRotatedEvent(input);
    const invalidated = list
      .filter((provider) => provider.matchesSecretId(event.secretId) && provider.invalidate(event.versionId))
      .map((provider) => provider.cacheKey);
    options.logger?.debug(`rotation notification: ${invalidated.length} cached value(s) invalidated`, {
      secretArn: event.secretId,
      versionId: event.versionId,
      machineId: event.machineId,
      outcome: invalidated.length > 0 ? 'invalidated' : 'nothing-cached',
    });
    return { invalidated };
  };
}
