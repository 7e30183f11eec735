export { ClerkMachineKeyRotator, MACHINE_SECRET_ACTIONS } from './ClerkMachineKeyRotator.ts';
export type {
  ClerkMachineKeyRotatorProps,
  ExistingMachineSecretOptions,
  MachineOptions,
} from './ClerkMachineKeyRotatorProps.ts';
export { RotatedMachine, type RotatedMachineProps } from './RotatedMachine.ts';
export { RotatorPropsError } from './validation.ts';
