import { isRotatorError } from '../errors.ts';
import { isClerkAuthenticationError } from './isClerkAuthenticationError.ts';
import type { MachineKey, MachineKeyProvider } from './MachineKeyProvider.ts';
import type { ReaderLogger } from './ReaderLogger.ts';

export interface WithMachineKeyOptions {
  readonly logger?: ReaderLogger;
}

/**
 * Runs `fn(key)` with the provider's current key. When `fn` fails because Clerk rejected the key (a 401), the key
 * was probably rotated after we cached it: force a refresh and run `fn` once more — but only if the refresh found a
 * different version. An unchanged version means the key really is bad: the original error is rethrown, untouched.
 * Nothing else is retried here.
 */
export async function withMachineKey<T>(
  provider: Pick<MachineKeyProvider, 'get' | 'refresh' | 'secretId'>,
  fn: (key: MachineKey) => Promise<T>,
  options: WithMachineKeyOptions = {},
): Promise<T> {
  const key = await provider.get();
  try {
    return await fn(key);
  } catch (error) {
    if (!isClerkAuthenticationError(error)) throw error;
    let fresh: MachineKey;
    try {
      fresh = await provider.refresh();
    } catch (refreshError) {
      options.logger?.warn('Clerk rejected the machine key and re-reading it failed; rethrowing the 401', {
        secretArn: provider.secretId,
        versionId: key.versionId,
        outcome: 'refresh-failed',
        errorCode: isRotatorError(refreshError) ? refreshError.code : (refreshError as Error)?.name,
      });
      throw error;
    }
    if (fresh.versionId === key.versionId) throw error;
    options.logger?.debug('Clerk rejected the machine key; retrying once with the newer version', {
      secretArn: provider.secretId,
      versionId: fresh.versionId,
      machineId: fresh.machineId,
      outcome: 'retry-after-rotation',
    });
    return fn(fresh);
  }
}
