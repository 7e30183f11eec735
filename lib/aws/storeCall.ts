import type { Tag } from '@aws-sdk/client-secrets-manager';
import { SecretStoreError } from '../errors.ts';

/** Wraps an SDK failure once, at the boundary: the operation, the AWS error name, the SDK's message. */
export function toStoreError(operation: string, error: unknown): SecretStoreError {
  const name = error instanceof Error ? error.name : undefined;
  // SDK messages name resources and rules, never secret values.
  const message = error instanceof Error ? error.message : String(error);
  return new SecretStoreError(operation, name, `${name ?? 'Error'}: ${message}`, { cause: error });
}

/** Runs one Secrets Manager call; any failure becomes a SecretStoreError naming it. */
export async function storeCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** DescribeSecret's tag list as a record. */
export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}
