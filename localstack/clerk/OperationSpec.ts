import type { ClerkState, Principal } from './ClerkState.ts';
import type { JsonObject } from './requestBody.ts';

/**
 * Which key an operation takes (Clerk's rules): the instance key for /machines*, the machine key to create M2M tokens,
 * either to list, verify or revoke them.
 */
export type KeyRequirement = 'instance' | 'machine' | 'either';

export interface OperationContext {
  readonly state: ClerkState;
  /** Emulator clock, whole ms. */
  readonly now: number;
  readonly principal: Principal;
  readonly pathId: string | undefined;
  readonly query: URLSearchParams;
  readonly body: JsonObject;
}

export interface OperationResult {
  readonly status: number;
  readonly body: unknown;
  /** The machine the call concerned, for the audit log, when the handler learned it (e.g. a new machine's id). */
  readonly machineId?: string;
}

export interface OperationSpec {
  readonly keys: KeyRequirement;
  /** Whether the spec gives the operation a JSON body, and whether it is `required`. */
  readonly body: 'none' | 'optional' | 'required';
  readonly handle: (ctx: OperationContext) => OperationResult;
}
