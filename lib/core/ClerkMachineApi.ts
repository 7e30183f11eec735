import type { Redacted } from '../Redacted.ts';

/** The Clerk port the rotation core needs: nothing more. */
export interface ClerkMachineApi {
  /** `GET /machines/{id}/secret_key` with the instance key: Clerk's current key for the machine. */
  getMachineSecretKey(instanceKey: Redacted, machineId: string): Promise<Redacted>;
  /**
   * `POST /machines/{id}/secret_key/rotate`. Not idempotent: never retried, and not sent unless its whole timeout
   * fits before the deadline. The caller records it first (lib/core/sendRecordedRotate.ts) and handles a 429.
   */
  rotateMachineSecretKey(instanceKey: Redacted, machineId: string, previousTokenTtlSeconds: number): Promise<Redacted>;
  /**
   * Proves a machine key authenticates for this machine: `GET /m2m_tokens?subject=<id>&limit=1` with the machine
   * key. No token is minted, nothing is billed. Throws ClerkApiError (CLERK_UNAUTHORIZED, …) when it does not.
   */
  verifyMachineKey(machineKey: Redacted, machineId: string): Promise<void>;
}
