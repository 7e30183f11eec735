import { type Clock, systemClock } from '../Clock.ts';
import { Stage } from '../constants.ts';
import { ConfigError } from '../errors.ts';
import { type MachineKeyProviderOptions, ReaderDefaults } from './MachineKeyProviderOptions.ts';
import { type ReaderLogger, silentLogger } from './ReaderLogger.ts';

/** A provider's options, validated once, with every default applied. All durations in milliseconds. */
export interface ProviderSettings {
  readonly secretId: string;
  readonly versionStage: string;
  readonly maxAgeMs: number;
  readonly maxStaleMs: number;
  readonly minForcedRefreshIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: ReaderLogger;
  readonly random: () => number;
}

const DAY_MS = 86_400_000;

function assertDurationMs(setting: string, value: number, min: number, max: number): number {
  // The mistake other caching libraries shipped: a number of seconds where milliseconds are expected.
  if (Number.isInteger(value) && value > 0 && value < 1_000) {
    throw new ConfigError(
      setting,
      `is in milliseconds and ${value} ms is less than a second; if you meant ${value} seconds, pass ${value * 1_000}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(setting, `must be a whole number of milliseconds from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function assertName(setting: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 2_048) {
    throw new ConfigError(setting, 'must be a non-empty string of at most 2048 characters');
  }
  return value;
}

/** Throws ConfigError naming the first bad option. */
export function resolveProviderSettings(options: MachineKeyProviderOptions): ProviderSettings {
  return {
    secretId: assertName('secretId', options.secretId),
    versionStage: assertName('versionStage', options.versionStage ?? Stage.current),
    maxAgeMs: assertDurationMs('maxAgeMs', options.maxAgeMs ?? ReaderDefaults.maxAgeMs, 1_000, DAY_MS),
    maxStaleMs: assertDurationMs('maxStaleMs', options.maxStaleMs ?? ReaderDefaults.maxStaleMs, 0, DAY_MS),
    minForcedRefreshIntervalMs: assertDurationMs(
      'minForcedRefreshIntervalMs',
      options.minForcedRefreshIntervalMs ?? ReaderDefaults.minForcedRefreshIntervalMs,
      0,
      3_600_000,
    ),
    requestTimeoutMs: assertDurationMs(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? ReaderDefaults.requestTimeoutMs,
      1_000,
      60_000,
    ),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
  };
}
