import { describeValue } from './describeValue.ts';
import { EventError } from './errors.ts';
import { isValidMachineId } from './secretFormat.ts';

/** The `type` of the notification the rotation function sends after finishSecret. Part of the public contract. */
export const MACHINE_KEY_ROTATED = 'clerk-machine-key-rotated';

/**
 * What a consumer receives when a machine key was rotated: which secret, which version is now AWSCURRENT, which
 * machine. Never the key: a consumer reads it from Secrets Manager with its own permissions.
 */
export interface MachineKeyRotatedEvent {
  readonly type: typeof MACHINE_KEY_ROTATED;
  /** The secret as the rotation function saw it: its full ARN. */
  readonly secretId: string;
  readonly versionId: string;
  readonly machineId: string;
}

export function isMachineKeyRotatedEvent(value: unknown): value is MachineKeyRotatedEvent {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === MACHINE_KEY_ROTATED;
}

/** Validates a notification at the boundary; throws EventError naming the first field that is wrong. */
export function parseMachineKeyRotatedEvent(value: unknown): MachineKeyRotatedEvent {
  if (!isMachineKeyRotatedEvent(value)) {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    throw new EventError(`expected type "${MACHINE_KEY_ROTATED}", got ${describeValue(type)}`);
  }
  const record = value as unknown as Record<string, unknown>;
  for (const field of ['secretId', 'versionId'] as const) {
    const fieldValue = record[field];
    if (typeof fieldValue !== 'string' || fieldValue.length === 0) {
      throw new EventError(`${field} must be a non-empty string, got ${describeValue(fieldValue)}`);
    }
  }
  if (!isValidMachineId(record.machineId)) {
    throw new EventError(`machineId must look like "mch_…", got ${describeValue(record.machineId)}`);
  }
  return {
    type: MACHINE_KEY_ROTATED,
    secretId: record.secretId as string,
    versionId: record.versionId as string,
    machineId: record.machineId as string,
  };
}
