/** The package's main entry: the rotation core's building blocks, for users who wire their own handler. */
export { createRotationHandler, handler } from '../lambda/rotate.ts';
export { createSecretStore } from './aws/createSecretStore.ts';
export { type Clock, type Sleep, systemClock } from './Clock.ts';
export { type ClerkClientOptions, type ClerkMachineApi, createClerkClient } from './clerk/ClerkClient.ts';
export type { RetryOptions } from './clerk/retryPolicy.ts';
export { Defaults, EnvVar, Limits, MACHINE_ID_PATTERN, Stage, TagKey } from './constants.ts';
export { runRotationStep } from './core/runRotationStep.ts';
export type { SecretStore } from './core/SecretStore.ts';
export {
  ClerkApiError,
  ConfigError,
  ErrorCode,
  EventError,
  RotationStateError,
  RotatorError,
  SecretFormatError,
  SecretStoreError,
} from './errors.ts';
export { createJsonLogger, type LogFields, type Logger, type LogLevel, parseLogLevel } from './Logger.ts';
export { Redacted } from './Redacted.ts';
export {
  type MachineSecret,
  parseInstanceKeySecret,
  parseMachineSecret,
  serializeMachineSecret,
} from './secretFormat.ts';
