import type { ClerkMachineApi } from '../clerk/ClerkClient.ts';
import { ClerkApiError, ErrorCode } from '../errors.ts';
import type { Redacted } from '../Redacted.ts';

/** Whether Clerk accepts a machine key (a 401 is "no"; any other failure is thrown). */
export async function isKeyAccepted(clerk: ClerkMachineApi, key: Redacted, machineId: string): Promise<boolean> {
  try {
    await clerk.verifyMachineKey(key, machineId);
    return true;
  } catch (error) {
    if (error instanceof ClerkApiError && error.code === ErrorCode.clerkUnauthorized) return false;
    throw error;
  }
}
