import type { KeyKind } from './AuditLog.ts';
import type { ClerkState, Principal } from './ClerkState.ts';

export interface Authentication {
  readonly keyKind: KeyKind;
  readonly principal: Principal | undefined;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Reads `Authorization: Bearer <key>`. No header → 'none'; a malformed header, an unknown key, an expired previous
 * key or a deleted machine's key → 'invalid'. The key itself never leaves this function.
 */
export const authenticate = (state: ClerkState, header: string | undefined): Authentication => {
  if (header === undefined || header === '') return { keyKind: 'none', principal: undefined };
  const match = BEARER.exec(header);
  const key = match?.[1];
  if (key === undefined) return { keyKind: 'invalid', principal: undefined };
  const principal = state.authenticate(key);
  if (principal === undefined) return { keyKind: 'invalid', principal: undefined };
  return { keyKind: principal.kind, principal };
};
