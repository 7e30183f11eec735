import { EnvVar, TagKey } from '../constants.ts';
import type { SecretStore } from '../core/SecretStore.ts';
import { ConfigError } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import { parseInstanceKeySecret } from '../secretFormat.ts';

/** Which secret holds the Clerk instance key (sk_…), and which setting named it (for messages). */
export interface InstanceKeySecret {
  readonly secretId: string;
  readonly source: string;
}

/**
 * The instance-key secret for a machine secret, as the rotation function would pick it, with the operator's option
 * first: `--instance-key-secret`, then the secret's tag, then CLERK_SECRET_KEY_SECRET_ID.
 */
export function resolveInstanceKeySecret(input: {
  readonly option?: string | undefined;
  readonly tags?: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}): InstanceKeySecret | undefined {
  const option = input.option?.trim();
  if (option) return { secretId: option, source: '--instance-key-secret' };
  const tagged = input.tags?.[TagKey.instanceKeySecretId]?.trim();
  if (tagged) return { secretId: tagged, source: `secret tag ${TagKey.instanceKeySecretId}` };
  const fromEnv = input.env[EnvVar.instanceKeySecretId]?.trim();
  if (fromEnv) return { secretId: fromEnv, source: EnvVar.instanceKeySecretId };
  return undefined;
}

export const INSTANCE_KEY_MISSING = `no instance-key secret: pass --instance-key-secret <id>, tag the secret with ${TagKey.instanceKeySecretId}, or set ${EnvVar.instanceKeySecretId}`;

/** Reads the instance key (AWSCURRENT of the named secret). */
export async function readInstanceKeySecret(
  store: Pick<SecretStore, 'getSecretVersion'>,
  from: InstanceKeySecret,
): Promise<Redacted> {
  const value = await store.getSecretVersion(from.secretId, {});
  if (value === undefined) {
    throw new ConfigError(
      from.source,
      `names instance-key secret ${from.secretId}, which does not exist or has no AWSCURRENT value; it must hold the Clerk instance key (sk_…)`,
    );
  }
  return parseInstanceKeySecret(value.secretString, `instance-key secret ${from.secretId}`);
}
