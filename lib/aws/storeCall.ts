import type { Tag } from '@aws-sdk/client-secrets-manager';
import { SecretStoreError } from '../errors.ts';
import { externalText } from '../externalText.ts';

/** What the failed call was about, for the message; none of it is ever a secret value. */
export interface StoreErrorContext {
  /** The secret as the caller named it (name or ARN). */
  readonly secretId?: string;
  readonly versionStage?: string;
  /** Appended to the message, e.g. why no cached value was served instead. */
  readonly note?: string;
}

function describeContext(context: StoreErrorContext): string {
  const parts = [
    context.secretId === undefined ? undefined : `secret ${context.secretId}`,
    context.versionStage === undefined ? undefined : `stage ${context.versionStage}`,
  ].filter((part) => part !== undefined);
  return `${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${context.note ?? ''}`;
}

/**
 * Wraps an SDK failure once, at the boundary: the operation, the AWS error name, the SDK's message and, if given,
 * which secret and stage. The SDK's error stays the `cause`, so classifyAwsError(storeError) sees it.
 */
export function toStoreError(operation: string, error: unknown, context: StoreErrorContext = {}): SecretStoreError {
  const name = error instanceof Error ? externalText(error.name, 80) : undefined;
  // SDK messages name resources and rules, never secret values; they still come from outside: no control characters.
  const message = externalText(error instanceof Error ? error.message : String(error));
  return new SecretStoreError(operation, name, `${name ?? 'Error'}: ${message}${describeContext(context)}`, {
    cause: error,
  });
}

/** Runs one Secrets Manager call; any failure becomes a SecretStoreError naming it. */
export async function storeCall<T>(
  operation: string,
  run: () => Promise<T>,
  context: StoreErrorContext = {},
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(operation, error, context);
  }
}

/** DescribeSecret's tag list as a record. */
export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}
