import { InvalidEmulatorOptionError } from './errors.ts';

/** The operations the emulator implements, by the names our own code uses. */
export const ClerkOperation = {
  listMachines: 'listMachines',
  createMachine: 'createMachine',
  getMachine: 'getMachine',
  deleteMachine: 'deleteMachine',
  getMachineSecretKey: 'getMachineSecretKey',
  rotateMachineSecretKey: 'rotateMachineSecretKey',
  createM2MToken: 'createM2MToken',
  listM2MTokens: 'listM2MTokens',
  verifyM2MToken: 'verifyM2MToken',
  revokeM2MToken: 'revokeM2MToken',
} as const;
export type ClerkOperation = (typeof ClerkOperation)[keyof typeof ClerkOperation];

/** What the audit log records for a request that matches no implemented operation. */
export const UNKNOWN_OPERATION = 'unknown';
export type AuditedOperation = ClerkOperation | typeof UNKNOWN_OPERATION;

/** Each operation's `operationId` in bapi-2026-05-12.yml (the spec mixes PascalCase and camelCase). */
export const SPEC_OPERATION_IDS: Readonly<Record<ClerkOperation, string>> = {
  listMachines: 'ListMachines',
  createMachine: 'CreateMachine',
  getMachine: 'GetMachine',
  deleteMachine: 'DeleteMachine',
  getMachineSecretKey: 'GetMachineSecretKey',
  rotateMachineSecretKey: 'RotateMachineSecretKey',
  createM2MToken: 'createM2MToken',
  listM2MTokens: 'getM2MTokens',
  verifyM2MToken: 'verifyM2MToken',
  revokeM2MToken: 'revokeM2MToken',
};

const byLowerCaseName = new Map<string, ClerkOperation>();
for (const operation of Object.values(ClerkOperation)) {
  byLowerCaseName.set(operation.toLowerCase(), operation);
  byLowerCaseName.set(SPEC_OPERATION_IDS[operation].toLowerCase(), operation);
}

/**
 * Accepts our name or the spec's operationId, in any case ('rotateMachineSecretKey', 'RotateMachineSecretKey',
 * 'getM2MTokens'), so a typo in a fault rule fails loudly instead of silently never matching.
 */
export const resolveOperationName = (name: string): ClerkOperation => {
  const operation = byLowerCaseName.get(name.toLowerCase());
  if (operation === undefined) {
    throw new InvalidEmulatorOptionError(
      'operation',
      `must be one of ${Object.values(ClerkOperation).join(', ')} (or the spec's operationId), got '${name}'`,
    );
  }
  return operation;
};
