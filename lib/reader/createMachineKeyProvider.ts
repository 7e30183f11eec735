import { MachineKeyCache } from './MachineKeyCache.ts';
import type { MachineKeyProvider } from './MachineKeyProvider.ts';
import type { MachineKeyProviderOptions } from './MachineKeyProviderOptions.ts';
import { machineKeyCacheKey } from './machineKeyCacheKey.ts';
import { resolveProviderSettings } from './resolveProviderSettings.ts';
import { withMachineKey } from './withMachineKey.ts';

export { type MachineKeyProviderOptions, ReaderDefaults } from './MachineKeyProviderOptions.ts';
export { machineKeyCacheKey } from './machineKeyCacheKey.ts';

/**
 * A cached reader for one machine secret (one secret id, one version stage).
 * - Hot path: a cached value younger than maxAge is returned without I/O.
 * - Single flight: however many callers find the value expired, one GetSecretValue is in flight.
 * - Stale on transient errors only (classifyAwsError: throttling, 5xx, timeouts, network, a failed credential
 *   provider, an expired session token), up to maxStaleMs past maxAge; AccessDenied, ResourceNotFound and malformed
 *   values always throw (SecretStoreError, SecretFormatError).
 * - After a failure, reads back off (1 s doubling to 30 s): a broken secret does not cost one call per request.
 * All durations are milliseconds; the injected clock returns epoch milliseconds. The methods do not depend on
 * `this`, so they can be passed around on their own.
 */
export function createMachineKeyProvider(options: MachineKeyProviderOptions): MachineKeyProvider {
  const settings = resolveProviderSettings(options);
  const cache = new MachineKeyCache(settings, options.client);
  const provider: MachineKeyProvider = {
    secretId: settings.secretId,
    versionStage: settings.versionStage,
    cacheKey: machineKeyCacheKey(settings.secretId, settings.versionStage),
    get: () => cache.get(),
    refresh: () => cache.refresh(),
    invalidate: (versionId) => cache.invalidate(versionId),
    matchesSecretId: (candidate) => cache.matchesSecretId(candidate),
    withMachineKey: (fn) => withMachineKey(provider, fn, { logger: settings.logger }),
  };
  return provider;
}
