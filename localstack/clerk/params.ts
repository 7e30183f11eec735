import { formParamMissing, formParamUnknown, formParamValueInvalid } from './errors.ts';
import type { JsonObject } from './requestBody.ts';

/**
 * The status for a bad parameter: the spec declares 422 (UnprocessableEntity) on the /machines paths, but only 400 on
 * the /m2m_tokens paths, so each operation states which one it uses.
 */
export type ParamErrorStatus = 400 | 422;

interface IntegerRule {
  readonly min: number;
  readonly max?: number;
  readonly status: ParamErrorStatus;
}

const rangeText = (rule: IntegerRule): string =>
  rule.max === undefined ? `at least ${rule.min}` : `between ${rule.min} and ${rule.max}`;

/** JSON integer in range. Strings such as "60" are refused, as a typed JSON API does. */
export const bodyInteger = (
  body: JsonObject,
  name: string,
  rule: IntegerRule & { required: boolean },
): number | undefined => {
  const value = body[name];
  if (value === undefined) {
    if (rule.required) throw formParamMissing(name, rule.status);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw formParamValueInvalid(name, 'must be an integer.', rule.status);
  }
  if (value < rule.min || (rule.max !== undefined && value > rule.max)) {
    throw formParamValueInvalid(name, `must be ${rangeText(rule)}.`, rule.status);
  }
  return value;
};

/** Query integers arrive as text; only plain decimal integers in range are accepted. */
export const queryInteger = (
  query: URLSearchParams,
  name: string,
  rule: IntegerRule & { readonly fallback: number },
): number => {
  const raw = query.get(name);
  if (raw === null) return rule.fallback;
  if (!/^\d+$/.test(raw)) throw formParamValueInvalid(name, 'must be an integer.', rule.status);
  const value = Number(raw);
  if (value < rule.min || (rule.max !== undefined && value > rule.max)) {
    throw formParamValueInvalid(name, `must be ${rangeText(rule)}.`, rule.status);
  }
  return value;
};

export const queryBoolean = (query: URLSearchParams, name: string, status: ParamErrorStatus): boolean => {
  const raw = query.get(name);
  if (raw === null || raw === '') return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw formParamValueInvalid(name, 'must be true or false.', status);
};

/** Refuses fields the schema does not list, for bodies the spec closes with `additionalProperties: false`. */
export const rejectUnknownFields = (body: JsonObject, allowed: readonly string[], status: ParamErrorStatus): void => {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw formParamUnknown(key, status);
  }
};
