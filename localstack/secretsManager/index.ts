export type { AuditEntry, AuditOutcome, AuditQuery } from './AuditLog.ts';
export { AuditLog } from './AuditLog.ts';
export { AwsErrorName, AwsServiceError, SimulatedError } from './awsErrors.ts';
export type { Clock } from './Clock.ts';
export { createSecretsManagerClient, type EmulatorClientOptions } from './createSecretsManagerClient.ts';
export type { FaultKind, FaultSelector, InjectedError, RandomFaultRule } from './FaultInjector.ts';
export { FaultInjector } from './FaultInjector.ts';
export type {
  RegisterRotationFunctionOptions,
  RotationFunctionCallback,
  RotationFunctionHandler,
  RotationInvocationEvent,
} from './RotationFunctionRegistry.ts';
export type {
  ErrorSummary,
  RotationAttemptRecord,
  RotationMode,
  RotationOutcome,
  RotationRecord,
  RotationStepRecord,
  StepInvocation,
} from './RotationLog.ts';
export type { RotationExecution } from './rotationOperations.ts';
export { MAX_SECRET_VALUE_BYTES } from './SecretsState.ts';
export {
  type SecretSnapshot,
  type SecretsManagerEmulator,
  type SecretsManagerEmulatorOptions,
  startSecretsManagerEmulator,
} from './startSecretsManagerEmulator.ts';
