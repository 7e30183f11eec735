import { AwsServiceError } from './errors.ts';
import type { SecretRecord } from './SecretRecord.ts';
import type { WireObject } from './wireInput.ts';

const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

interface Filter {
  readonly key: FilterKey;
  readonly values: readonly string[];
}

const invalidFilter = (message: string) => new AwsServiceError('InvalidParameterException', message);

/** The Filter shape's constraints: 1–10 values, each at most 512 characters of `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`. */
const FILTER_VALUE = /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/;
const MAX_FILTER_VALUES = 10;
const MAX_FILTER_VALUE_LENGTH = 512;

const checkFilterValues = (values: readonly string[]): void => {
  const violation =
    values.length > MAX_FILTER_VALUES
      ? `Member must have length less than or equal to ${MAX_FILTER_VALUES}`
      : values.some((value) => value.length > MAX_FILTER_VALUE_LENGTH)
        ? `Member must have length less than or equal to ${MAX_FILTER_VALUE_LENGTH}`
        : values.some((value) => !FILTER_VALUE.test(value))
          ? `Member must satisfy regular expression pattern: ${FILTER_VALUE.source}`
          : undefined;
  if (violation !== undefined) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'filters.member.values' failed to satisfy constraint: ${violation}`,
    );
  }
};

export const readFilters = (input: WireObject): Filter[] => {
  const raw = input.Filters;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidFilter('Filters must be a list.');
  return raw.map((item: unknown) => {
    const { Key: key, Values: values } = (typeof item === 'object' && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    if (typeof key !== 'string' || !(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${FILTER_KEYS.join(', ')}]`,
      );
    }
    if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== 'string')) {
      throw invalidFilter(`Invalid filter values for key: ${key}`);
    }
    checkFilterValues(values as string[]);
    return { key: key as FilterKey, values: values as string[] };
  });
};

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[\s/_+=.@-]+/)
    .filter(Boolean);

/** Word-prefix, case-insensitive: how `description` and `all` match. */
const wordMatch = (pattern: string, candidates: readonly string[]): boolean => {
  const candidateWords = candidates.flatMap(words);
  const patternWords = words(pattern);
  return patternWords.length > 0 && patternWords.every((p) => candidateWords.some((w) => w.startsWith(p)));
};

/** Prefix, case-sensitive: how `name`, `tag-key` and `tag-value` match. */
const prefixMatch = (pattern: string, candidates: readonly string[]): boolean =>
  candidates.some((candidate) => candidate.startsWith(pattern));

const candidatesFor = (secret: SecretRecord, key: FilterKey): string[] => {
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return secret.description ? [secret.description] : [];
    case 'tag-key':
      return secret.tags.map((tag) => tag.Key);
    case 'tag-value':
      return secret.tags.map((tag) => tag.Value);
    case 'all':
      return [
        secret.name,
        ...(secret.description ? [secret.description] : []),
        ...secret.tags.flatMap((t) => [t.Key, t.Value]),
      ];
    default:
      return [];
  }
};

/** Keys combine with AND, values of one key with OR; a value starting with `!` negates. */
export const matchesFilters = (secret: SecretRecord, filters: readonly Filter[]): boolean =>
  filters.every(({ key, values }) => {
    const candidates = candidatesFor(secret, key);
    const match = key === 'description' || key === 'all' ? wordMatch : prefixMatch;
    return values.some((value) =>
      value.startsWith('!') ? !match(value.slice(1), candidates) : match(value, candidates),
    );
  });
