import { AwsServiceError } from './errors.ts';
import { optionalInteger, optionalString, type WireObject } from './wireInput.ts';

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

const encode = (offset: number): string => Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');

const decode = (token: string): number => {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0)
      return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw new AwsServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
};

/** MaxResults (1–100, default `defaultSize`) and an opaque NextToken, as the List operations take them. */
export const paginate = <T>(items: readonly T[], input: WireObject, defaultSize = 100): Page<T> => {
  const maxResults = optionalInteger(input, 'MaxResults') ?? defaultSize;
  if (maxResults < 1 || maxResults > 100) {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100",
    );
  }
  const token = optionalString(input, 'NextToken');
  const offset = token === undefined ? 0 : decode(token);
  const end = offset + maxResults;
  return { items: items.slice(offset, end), nextToken: end < items.length ? encode(end) : undefined };
};
