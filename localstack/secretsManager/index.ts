// The Secrets Manager emulator: start it, register rotation functions, inject faults, read its audit log and
// rotation log. See docs/local-stack-secrets-manager.md.
export { type Clock, createSystemClock, ManualClock } from '../common/Clock.ts';
export type * from '../common/faultTypes.ts';
export { createSeededRandom, type RandomSource } from '../common/seededRandom.ts';
export type { AuditEntry, AuditFilter, AuditOutcome } from './AuditLog.ts';
export { AuditLog } from './AuditLog.ts';
export { createSecretsManagerClient, type EmulatorClientOptions } from './createSecretsManagerClient.ts';
export { AwsErrorName, AwsServiceError, InvalidEmulatorOptionError, SimulatedError } from './errors.ts';
export type { OperationMatcher } from './FaultInjector.ts';
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
export { SECRETS_MANAGER_OPERATIONS, type SecretsManagerOperation } from './secretsManagerOperations.ts';
export {
  type SecretSnapshot,
  type SecretsManagerEmulator,
  type SecretsManagerEmulatorOptions,
  startSecretsManagerEmulator,
} from './startSecretsManagerEmulator.ts';
