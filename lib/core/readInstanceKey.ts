import { ConfigError, SecretStoreError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { parseInstanceKeySecret } from '../secretFormat.ts';
import type { RotationSettings } from './rotationSettings.ts';
import type { SecretStore } from './SecretStore.ts';

/** Reads the Clerk instance key (sk_…) named by the settings; its AWSCURRENT value. */
export async function readInstanceKey(store: SecretStore, settings: RotationSettings): Promise<Redacted> {
  const id = settings.instanceKeySecretId;
  let version: Awaited<ReturnType<SecretStore['getSecretVersion']>>;
  try {
    version = await store.getSecretVersion(id, {});
  } catch (error) {
    if (error instanceof SecretStoreError && error.awsErrorName === 'AccessDeniedException') {
      throw new ConfigError(
        settings.instanceKeySecretSource,
        `names instance-key secret ${id}, which this function may not read (AccessDenied); grant secretsmanager:GetSecretValue on it`,
      );
    }
    throw error;
  }
  if (version === undefined) {
    throw new ConfigError(
      settings.instanceKeySecretSource,
      `names instance-key secret ${id}, which does not exist or has no AWSCURRENT value; create it with the Clerk instance key (sk_…)`,
    );
  }
  return parseInstanceKeySecret(version.secretString, `instance-key secret ${id}`);
}
