import { ClerkApiError, ErrorCode } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';
import type { ClerkMachineApi } from './ClerkMachineApi.ts';

/** Clerk's answer about a machine key: accepted, rejected (401), or not known (any other failure, by code). */
export type KeyVerdict = 'accepted' | 'rejected' | { readonly unknown: string };

/**
 * Asks Clerk whether a machine key authenticates (the token listing, which mints nothing). Only a 401 means
 * "rejected"; a timeout, a 5xx or a 403 says nothing about the key, so it is reported as unknown, never as dead.
 */
export async function askClerkAboutKey(clerk: ClerkMachineApi, key: Redacted, machineId: string): Promise<KeyVerdict> {
  try {
    await clerk.verifyMachineKey(key, machineId);
    return 'accepted';
  } catch (error) {
    if (error instanceof ClerkApiError && error.code === ErrorCode.clerkUnauthorized) return 'rejected';
    return { unknown: error instanceof ClerkApiError ? error.code : 'UNEXPECTED' };
  }
}
