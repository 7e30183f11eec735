// The Clerk Backend API emulator: start it, drive it, inject faults, read its audit log. See docs/local-stack-clerk.md.
export { type Clock, createSystemClock, ManualClock } from '../common/Clock.ts';
export type * from '../common/faultTypes.ts';
export { createSeededRandom, type RandomSource } from '../common/seededRandom.ts';
export type { AuditEntry, AuditFilter, AuditOutcome, KeyKind } from './AuditLog.ts';
export { AuditLog } from './AuditLog.ts';
export type { ClerkExchange } from './ClerkExchange.ts';
export type { CreateInstanceInput, CreateMachineInput, RotationRecord, RotationSource } from './ClerkState.ts';
export type { AuditedOperation } from './clerkOperations.ts';
export { ClerkOperation, resolveOperationName, SPEC_OPERATION_IDS } from './clerkOperations.ts';
export type { ClerkErrorEnvelope, ClerkErrorItem } from './errors.ts';
export {
  ClerkEmulatorError,
  EmulatedClerkError,
  EmulatedClerkErrorCode,
  InvalidEmulatorOptionError,
  UnknownInstanceError,
  UnknownMachineError,
} from './errors.ts';
export type { EndpointMatcher } from './FaultInjector.ts';
export { FaultInjector } from './FaultInjector.ts';
export type { RateLimitOptions } from './rateLimiter.ts';
export { DEVELOPMENT_INSTANCE_RATE_LIMIT, RateLimiter } from './rateLimiter.ts';
export type { ClerkEmulator, ClerkEmulatorOptions, EmulatedInstance, EmulatedMachine } from './startClerkEmulator.ts';
export { startClerkEmulator } from './startClerkEmulator.ts';
