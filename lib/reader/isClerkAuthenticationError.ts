import { ClerkApiError, ErrorCode } from '../errors.ts';

/** Clerk's `errors[].code` values for "this key does not authenticate". */
export const CLERK_AUTHENTICATION_ERROR_CODES: ReadonlySet<string> = new Set([
  'authentication_invalid',
  'clerk_key_invalid',
]);

interface ForeignErrorShape {
  status?: unknown;
  errors?: unknown;
}

/**
 * True when Clerk rejected the key itself: our ClerkApiError with CLERK_UNAUTHORIZED (HTTP 401), or the shape
 * @clerk/backend throws (ClerkAPIResponseError: `status` 401, or `errors[0].code` authentication_invalid /
 * clerk_key_invalid). Its top-level `code` is always "api_response_error", so it is not looked at.
 */
export function isClerkAuthenticationError(error: unknown): boolean {
  if (error instanceof ClerkApiError) return error.code === ErrorCode.clerkUnauthorized || error.status === 401;
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ForeignErrorShape;
  if (shape.status === 401) return true;
  if (!Array.isArray(shape.errors)) return false;
  const first: unknown = shape.errors[0];
  const code = typeof first === 'object' && first !== null ? (first as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CLERK_AUTHENTICATION_ERROR_CODES.has(code);
}
