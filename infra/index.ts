export { METRIC_ALARMS, METRIC_NAMESPACE } from './alarms.ts';
export { ClerkMachineKeyRotator, MACHINE_SECRET_ACTIONS } from './ClerkMachineKeyRotator.ts';
export type { ClerkMachineKeyRotatorProps } from './ClerkMachineKeyRotatorProps.ts';
export type { FunctionBundling } from './functionCode.ts';
export type { ExistingMachineSecretOptions, MachineOptions } from './MachineOptions.ts';
export { RotatedMachine, type RotatedMachineProps } from './RotatedMachine.ts';
export { RotatorVerification, VERIFICATION_SECRET_ACTIONS } from './RotatorVerification.ts';
export type { VerificationOptions } from './VerificationOptions.ts';
export { RotatorPropsError } from './validation.ts';
