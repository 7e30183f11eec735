import type { ClerkOperation } from './clerkOperations.ts';
import { m2mTokenOperations } from './m2mTokenOperations.ts';
import { machineOperations } from './machineOperations.ts';
import type { OperationSpec } from './OperationSpec.ts';

/** Every implemented operation with its key requirement, body rule and handler. */
export const operationTable: Readonly<Record<ClerkOperation, OperationSpec>> = {
  ...machineOperations,
  ...m2mTokenOperations,
};

/** Operations whose path names a machine (`/machines/{machine_id}…`), for the audit log's machineId. */
export const MACHINE_PATH_OPERATIONS: ReadonlySet<ClerkOperation> = new Set([
  'getMachine',
  'deleteMachine',
  'getMachineSecretKey',
  'rotateMachineSecretKey',
]);
