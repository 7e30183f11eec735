import { validationError } from './errors.ts';
import type { Tag } from './SecretRecord.ts';

/** A decoded AWS JSON 1.1 request body. */
export type WireObject = Readonly<Record<string, unknown>>;

const lowerFirst = (field: string): string => field.charAt(0).toLowerCase() + field.slice(1);

/** Phrased like the Smithy validation errors AWS answers with. */
const constraintError = (field: string, value: unknown, constraint: string) =>
  validationError(
    `1 validation error detected: Value ${value === undefined ? 'null' : "'…'"} at '${lowerFirst(field)}' failed to satisfy constraint: ${constraint}`,
  );

interface LengthLimits {
  readonly min?: number;
  readonly max?: number;
}

export const optionalString = (input: WireObject, field: string, limits: LengthLimits = {}): string | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw constraintError(field, value, 'Member must be a string');
  if (limits.min !== undefined && value.length < limits.min) {
    throw constraintError(field, value, `Member must have length greater than or equal to ${limits.min}`);
  }
  if (limits.max !== undefined && value.length > limits.max) {
    throw constraintError(field, value, `Member must have length less than or equal to ${limits.max}`);
  }
  return value;
};

export const requiredString = (input: WireObject, field: string, limits: LengthLimits = { min: 1 }): string => {
  const value = optionalString(input, field, limits);
  if (value === undefined) throw constraintError(field, undefined, 'Member must not be null');
  return value;
};

export const optionalBoolean = (input: WireObject, field: string): boolean | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw constraintError(field, value, 'Member must be a boolean');
  return value;
};

export const optionalInteger = (input: WireObject, field: string): number | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw constraintError(field, value, 'Member must be an integer');
  return value;
};

export const optionalStringList = (input: WireObject, field: string): string[] | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw constraintError(field, value, 'Member must be a list of strings');
  }
  return value as string[];
};

export const optionalTags = (input: WireObject, field: string): Tag[] | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw constraintError(field, value, 'Member must be a list of tags');
  return value.map((item: unknown) => {
    const tag = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof tag.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128) {
      throw constraintError(`${field}.member.key`, tag.Key, 'Member must have length between 1 and 128');
    }
    const tagValue = tag.Value ?? '';
    if (typeof tagValue !== 'string' || tagValue.length > 256) {
      throw constraintError(`${field}.member.value`, tagValue, 'Member must have length less than or equal to 256');
    }
    return { Key: tag.Key, Value: tagValue };
  });
};

export const optionalObject = (input: WireObject, field: string): WireObject | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw constraintError(field, value, 'Member must be a structure');
  return value as WireObject;
};
