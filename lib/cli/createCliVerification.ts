import { EnvVar, TagKey } from '../constants.ts';
import { type FunctionSettings, resolveRotationSettings } from '../core/rotationSettings.ts';
import type { SecretDescription } from '../core/SecretStore.ts';
import type { Redacted } from '../Redacted.ts';
import { createRatePacer } from '../verification/createRatePacer.ts';
import { parseVerificationLimits } from '../verification/verificationSettings.ts';
import type { VerificationContext } from '../verification/verifyMachineSecret.ts';
import type { CliContext } from './CliContext.ts';
import { UsageError } from './errors.ts';
import { INSTANCE_KEY_MISSING, type InstanceKeySecret, readInstanceKeySecret } from './resolveInstanceKey.ts';

export interface CliVerificationOptions {
  /** Start the adopting rotation on drift, as the scheduled verification does (`--heal`). */
  readonly heal: boolean;
  /** `--stuck-after`; else PENDING_STUCK_AFTER_SECONDS, else the verification's default (3600 s). */
  readonly stuckAfterSeconds: number | undefined;
  /** `--instance-key-secret`: stands in for CLERK_SECRET_KEY_SECRET_ID. */
  readonly instanceKeySecret: string | undefined;
}

/** The scheduled verification's context as the CLI builds it, per secret. */
export interface CliVerification {
  /** The context for one secret: the function's settings, with the secret's own instance-key tag trusted. */
  contextFor(secret: SecretDescription): VerificationContext;
  /**
   * For a single secret: the instance-key secret the verification will use, read now, so that a missing setting is
   * a usage error and a denied read an AWS error, as in every other command, rather than a verdict.
   */
  readInstanceKeyFor(secret: SecretDescription): Promise<InstanceKeySecret>;
}

/**
 * Builds what `verifyMachineSecret` runs with from the CLI: its Secrets Manager store and Clerk client, a pacer at the
 * verification's share of Clerk's rate limit, and the rotation function's settings read from the CLI's environment
 * as the function reads its own. The CLI cannot see the function's ALLOWED_INSTANCE_KEY_SECRET_IDS: it trusts the
 * secret's own `clerk-rotator:instance-key-secret-id` tag, as `init` and `repair` do (the operator reads; only the
 * function must be kept from following a tag it was not deployed with).
 */
export function createCliVerification(ctx: CliContext, options: CliVerificationOptions): CliVerification {
  const base = ctx.functionSettings();
  const limits = parseVerificationLimits(ctx.env, base.rotateLandingHorizonSeconds);
  const pacer = createRatePacer({
    perSecond: (limits.clerkRateLimitPer10Seconds * limits.clerkRateShare) / 10,
    clock: ctx.clock,
    sleep: ctx.sleep,
  });
  const instanceKeys = new Map<string, Promise<Redacted>>();
  const settingsFor = (secret: SecretDescription): FunctionSettings => {
    const tagged = secret.tags[TagKey.instanceKeySecretId]?.trim();
    return {
      ...base,
      instanceKeySecretId: options.instanceKeySecret ?? base.instanceKeySecretId,
      allowedInstanceKeySecretIds: tagged
        ? [...base.allowedInstanceKeySecretIds, tagged]
        : base.allowedInstanceKeySecretIds,
    };
  };
  const contextFor = (secret: SecretDescription): VerificationContext => ({
    store: ctx.store(),
    clerk: ctx.clerk(),
    clock: ctx.clock,
    pacer,
    functionSettings: settingsFor(secret),
    pendingStuckAfterSeconds: options.stuckAfterSeconds ?? limits.pendingStuckAfterSeconds,
    heal: options.heal,
    instanceKeys,
  });
  return {
    contextFor,
    async readInstanceKeyFor(secret) {
      const fn = settingsFor(secret);
      if (fn.instanceKeySecretId === undefined && secret.tags[TagKey.instanceKeySecretId] === undefined) {
        throw new UsageError(`verify reads Clerk's current key, and there is ${INSTANCE_KEY_MISSING}`, 'verify');
      }
      const settings = resolveRotationSettings(fn, secret.tags);
      const source =
        settings.instanceKeySecretSource === EnvVar.instanceKeySecretId && options.instanceKeySecret !== undefined
          ? '--instance-key-secret'
          : settings.instanceKeySecretSource;
      const from = { secretId: settings.instanceKeySecretId, source };
      instanceKeys.set(from.secretId, Promise.resolve(await readInstanceKeySecret(ctx.store(), from)));
      return from;
    },
  };
}
