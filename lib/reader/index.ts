/**
 * clerk-machine-key-rotator/reader: what applications import to use a rotated machine key. Depends only on
 * @aws-sdk/client-secrets-manager and the package's shared modules — no CDK, no CLI, no Lambda client.
 */

// The ports the reader's options take, and the project's JSON line logger for apps that want the same log format.
export { type Clock, systemClock } from '../Clock.ts';
export type { ClerkTransportOptions } from '../clerk/sendClerkRequest.ts';
export {
  ClerkApiError,
  ConfigError,
  ErrorCode,
  EventError,
  isRotatorError,
  RotatorError,
  SecretFormatError,
  SecretStoreError,
} from '../errors.ts';
export {
  createJsonLogger,
  type JsonLoggerOptions,
  type LogFields,
  type Logger,
  type LogLevel,
  parseLogLevel,
} from '../Logger.ts';
export {
  isMachineKeyRotatedEvent,
  MACHINE_KEY_ROTATED,
  type MachineKeyRotatedEvent,
  parseMachineKeyRotatedEvent,
} from '../notify/MachineKeyRotatedEvent.ts';
export { Redacted } from '../Redacted.ts';
export { type CreateM2MTokenOptions, createM2MToken, type M2MTokenFormat } from './createM2MToken.ts';
export {
  createMachineKeyProvider,
  type MachineKeyProviderOptions,
  machineKeyCacheKey,
  ReaderDefaults,
} from './createMachineKeyProvider.ts';
export {
  createRotationEventHandler,
  type RotationEventHandler,
  type RotationEventHandlerOptions,
  type RotationEventResult,
} from './createRotationEventHandler.ts';
export { CLERK_AUTHENTICATION_ERROR_CODES, isClerkAuthenticationError } from './isClerkAuthenticationError.ts';
export { isTransientSecretsManagerError } from './isTransientSecretsManagerError.ts';
export type { M2MToken, M2MTokenInfo } from './M2MToken.ts';
export type { MachineKey, MachineKeyProvider } from './MachineKeyProvider.ts';
export {
  type M2MTokenRejection,
  type M2MTokenVerification,
  type VerifyM2MTokenOptions,
  verifyM2MToken,
} from './verifyM2MToken.ts';
export { type WithMachineKeyOptions, withMachineKey } from './withMachineKey.ts';
