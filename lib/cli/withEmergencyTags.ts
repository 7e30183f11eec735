import { TagKey } from '../constants.ts';
import type { SecretDescription } from '../core/SecretStore.ts';
import type { CliContext } from './CliContext.ts';

const EMERGENCY_TAGS = [TagKey.previousKeyTtlSeconds, TagKey.minRotationIntervalSeconds] as const;

/** What the emergency did to the tags, for the report. */
export interface EmergencyTagReport {
  readonly set: Readonly<Record<string, string>>;
  /** The values put back, and the tags removed because they were absent before. */
  readonly restored: Readonly<Record<string, string>>;
  readonly removed: readonly string[];
  /** False when putting them back failed (the operator was told how to do it by hand). */
  readonly restoredOk: boolean;
}

function describeSaved(saved: Readonly<Record<string, string | undefined>>): string {
  return EMERGENCY_TAGS.map((key) => `${key}=${saved[key] ?? '(absent)'}`).join(', ');
}

/**
 * Runs an emergency rotation with the previous key's TTL and the minimum interval at 0, set through the secret's own
 * tags (the rotation function reads them per secret, so nothing else changes), and puts the tags back afterwards —
 * the previous values, or no tag where there was none — whether the rotation succeeded, failed or was interrupted.
 */
export async function withEmergencyTags<T>(
  ctx: Pick<CliContext, 'store' | 'output'>,
  metadata: Pick<SecretDescription, 'arn' | 'name' | 'tags'>,
  run: () => Promise<T>,
): Promise<{ result: T; tags: EmergencyTagReport }> {
  const store = ctx.store();
  const saved: Record<string, string | undefined> = {};
  for (const key of EMERGENCY_TAGS) saved[key] = metadata.tags[key];
  const set = Object.fromEntries(EMERGENCY_TAGS.map((key) => [key, '0']));
  const restored: Record<string, string> = {};
  const removed: string[] = [];
  for (const key of EMERGENCY_TAGS) {
    const value = saved[key];
    if (value === undefined) removed.push(key);
    else restored[key] = value;
  }

  await store.tagSecret(metadata.arn, set);
  ctx.output.line(
    `Emergency: set ${EMERGENCY_TAGS.map((key) => `${key}=0`).join(', ')} (before: ${describeSaved(saved)})`,
  );

  let result: T | undefined;
  let runError: unknown;
  let failed = false;
  try {
    result = await run();
  } catch (error) {
    failed = true;
    runError = error;
  }

  let restoredOk = true;
  try {
    if (Object.keys(restored).length > 0) await store.tagSecret(metadata.arn, restored);
    if (removed.length > 0) await store.untagSecret(metadata.arn, removed);
    ctx.output.line(`Restored the tags: ${describeSaved(saved)}`);
  } catch (restoreError) {
    restoredOk = false;
    const byHand = [
      ...Object.entries(restored).map(
        ([key, value]) =>
          `aws secretsmanager tag-resource --secret-id ${metadata.arn} --tags Key=${key},Value=${value}`,
      ),
      ...(removed.length > 0
        ? [`aws secretsmanager untag-resource --secret-id ${metadata.arn} --tag-keys ${removed.join(' ')}`]
        : []),
    ];
    ctx.output.message(
      `error: the emergency tags on ${metadata.name} could not be restored (${(restoreError as Error).message}); until they are, every rotation of it ends the previous key at once`,
    );
    for (const command of byHand) ctx.output.message(`  restore: ${command}`);
    if (!failed) throw restoreError;
  }
  if (failed) throw runError;
  return { result: result as T, tags: { set, restored, removed, restoredOk } };
}
