import { Limits } from '../../lib/constants.ts';
import { type Clock, createSystemClock, ManualClock } from '../common/Clock.ts';
import { createSeededRandom, type RandomSource } from '../common/seededRandom.ts';
import { startEmulatorServer } from '../common/startEmulatorServer.ts';
import { type AuditEntry, AuditLog } from './AuditLog.ts';
import type { ClerkExchange } from './ClerkExchange.ts';
import {
  ClerkState,
  type CreateInstanceInput,
  type CreateMachineInput,
  type InstanceRecord,
  type RotationRecord,
} from './ClerkState.ts';
import { createClerkRequestHandler } from './createClerkRequestHandler.ts';
import { InvalidEmulatorOptionError } from './errors.ts';
import { FaultInjector } from './FaultInjector.ts';
import { API_BASE_PATH } from './matchRoute.ts';
import { DEVELOPMENT_INSTANCE_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rateLimiter.ts';

export interface ClerkEmulatorOptions {
  /** @default 0 - an ephemeral port. The emulator always binds to 127.0.0.1. */
  readonly port?: number;
  /**
   * The emulator's clock (key overlaps, token expiry, rate-limit windows, audit timestamps), or 'manual' for a
   * ManualClock starting at the real time that `advance(ms)` moves. Injected latency and late landings always use
   * real timers.
   * @default - the system clock
   */
  readonly clock?: Clock | 'manual';
  /**
   * Requests per window, per instance key and per machine; `false` disables limiting.
   * @default - Clerk's development-instance limit, 100 requests per 10 s
   */
  readonly rateLimit?: Partial<RateLimitOptions> | false;
  /** Seed for the RNG that drives probabilistic faults. @default 1 */
  readonly seed?: number;
  /** Replaces the seeded RNG altogether. */
  readonly random?: RandomSource;
  /** The instance created at start (its key is `defaultInstance.secretKey`). @default - a random sk_test_ key */
  readonly instance?: CreateInstanceInput;
  /** Called with every request and its response (or drop), e.g. to validate them against the OpenAPI spec. */
  readonly onExchange?: (exchange: ClerkExchange) => void;
  /** Larger request bodies are refused with 413. @default 1 MiB */
  readonly maxBodyBytes?: number;
}

/** An emulated Clerk instance; `secretKey` is its instance key (`sk_test_…`). */
export interface EmulatedInstance {
  readonly id: string;
  readonly secretKey: string;
}

/** A machine created by a helper; `secretKey` is its key at creation (`ak_…`). */
export interface EmulatedMachine {
  readonly id: string;
  readonly instanceId: string;
  readonly name: string;
  readonly secretKey: string;
}

export interface ClerkEmulator {
  /** Base URL to use as CLERK_API_URL: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  /** Moves the emulator's ManualClock forward; throws unless the emulator runs on a ManualClock. */
  advance(ms: number): void;
  readonly defaultInstance: EmulatedInstance;
  createInstance(input?: CreateInstanceInput): EmulatedInstance;
  /** Creates a machine in `instanceId` (default: the default instance). */
  createMachine(input?: CreateMachineInput & { readonly instanceId?: string }): EmulatedMachine;
  deleteMachine(machineId: string): void;
  /** The key `GET …/secret_key` returns now. */
  currentKey(machineId: string): string;
  /** Whether `key` authenticates as this machine right now (current key, or previous key inside its overlap). */
  isKeyValid(machineId: string, key: string): boolean;
  /** When the previous key stops working (ms, emulator clock), if one is still in its overlap. */
  previousKeyExpiresAt(machineId: string): number | undefined;
  /** Rotates as an operator would in Clerk's dashboard (not an API call, not in the audit log); returns the new key. */
  rotateViaDashboard(machineId: string, opts: { readonly previousTokenTtlSeconds: number }): string;
  /** API rotations of the machine that took effect, from the audit log. */
  rotationsFor(machineId: string): AuditEntry[];
  /** Every rotation that took effect, API and dashboard, optionally for one machine. */
  rotationHistory(machineId?: string): RotationRecord[];
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  readonly rateLimiter: RateLimiter;
  /**
   * Resolves once every request received so far (and any received meanwhile) has been processed or dropped, and
   * recorded: "once everything has landed", including late landings and calls answered before processing.
   */
  settled(): Promise<void>;
  /** Stops listening and destroys open connections at once; calls still waiting to be processed are abandoned. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const resolveClock = (clock: ClerkEmulatorOptions['clock']): Clock => {
  if (clock === 'manual') return new ManualClock(Date.now());
  return clock ?? createSystemClock();
};

const resolveRateLimit = (rateLimit: ClerkEmulatorOptions['rateLimit']): RateLimitOptions | false =>
  rateLimit === false ? false : { ...DEVELOPMENT_INSTANCE_RATE_LIMIT, ...rateLimit };

const toEmulatedInstance = (instance: InstanceRecord): EmulatedInstance => ({
  id: instance.id,
  // The helper's caller needs the value to configure a client; it is exposed on purpose, nowhere logged.
  secretKey: instance.secretKey.reveal(),
});

/** Starts a strict, local stand-in for Clerk's Backend API (machines and M2M tokens). */
export const startClerkEmulator = async (options: ClerkEmulatorOptions = {}): Promise<ClerkEmulator> => {
  const clock = resolveClock(options.clock);
  const state = new ClerkState(clock);
  const audit = new AuditLog();
  const faults = new FaultInjector(options.random ?? createSeededRandom(options.seed ?? 1));
  const rateLimiter = new RateLimiter(resolveRateLimit(options.rateLimit), clock);
  const defaultInstance = toEmulatedInstance(state.createInstance(options.instance));
  const server = await startEmulatorServer(options.port ?? 0, (closing) =>
    createClerkRequestHandler({
      state,
      clock,
      audit,
      faults,
      rateLimiter,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      closing,
      ...(options.onExchange === undefined ? {} : { onExchange: options.onExchange }),
    }),
  );

  return {
    url: `http://127.0.0.1:${server.port}${API_BASE_PATH}`,
    port: server.port,
    clock,
    advance: (ms) => {
      if (!(clock instanceof ManualClock)) {
        throw new InvalidEmulatorOptionError('clock', "must be a ManualClock (or 'manual') to advance it");
      }
      clock.advance(ms);
    },
    defaultInstance,
    createInstance: (input) => toEmulatedInstance(state.createInstance(input)),
    createMachine: (input = {}) => {
      const { instanceId = defaultInstance.id, ...machineInput } = input;
      const machine = state.createMachine(instanceId, machineInput);
      return { id: machine.id, instanceId, name: machine.name, secretKey: machine.keys.current.reveal() };
    },
    deleteMachine: (machineId) => state.deleteMachine(machineId),
    currentKey: (machineId) => state.currentKey(machineId),
    isKeyValid: (machineId, key) => state.isKeyValid(machineId, key),
    previousKeyExpiresAt: (machineId) => state.getMachine(machineId).keys.previousKeyExpiresAt(clock.now()),
    rotateViaDashboard: (machineId, { previousTokenTtlSeconds }) => {
      const { min, max } = Limits.previousKeyTtlSeconds;
      if (
        !Number.isInteger(previousTokenTtlSeconds) ||
        previousTokenTtlSeconds < min ||
        previousTokenTtlSeconds > max
      ) {
        throw new InvalidEmulatorOptionError(
          'previousTokenTtlSeconds',
          `must be an integer between ${min} and ${max}, got ${previousTokenTtlSeconds}`,
        );
      }
      return state.rotateKey(machineId, previousTokenTtlSeconds, 'dashboard');
    },
    rotationsFor: (machineId) => audit.rotationsFor(machineId),
    rotationHistory: (machineId) => state.rotations(machineId),
    audit,
    faults,
    rateLimiter,
    settled: () => server.settled(),
    close: () => server.close(),
  };
};
