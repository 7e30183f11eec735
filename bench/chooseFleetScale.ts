import { DEVELOPMENT_INSTANCE_RATE_LIMIT } from '../localstack/clerk/index.ts';

/** Time compressions the fleet bench may pick, fastest first. */
export const FLEET_SCALES = [100, 50, 25, 20, 10, 5, 4, 3, 2, 1.5, 1.25, 1] as const;

/** The rate limit must allow at most this fraction of what the machine can do unthrottled, or the CPU is measured. */
const HEADROOM = 1.5;

export interface FleetScaleChoice {
  readonly scale: number;
  /** Rotations per second this machine managed with no rate limit. */
  readonly unlimitedRotationsPerSecond: number;
  /** Rotations per second the scaled limit allows. */
  readonly limitRotationsPerSecond: number;
}

/**
 * The emulators and the handler share one process here, where in AWS each rotation runs in its own Lambda. For the
 * fleet bench to measure the rate limit and not this machine's CPU, the scaled limit must allow clearly fewer
 * rotations per second than the machine manages unthrottled; the largest such scale (at most 100) is chosen, unless
 * `forcedScale` is given.
 */
export function chooseFleetScale(
  unlimitedRotationsPerSecond: number,
  instanceCallsPerRotation: number,
  forcedScale?: number,
): FleetScaleChoice {
  const { limit, windowMs } = DEVELOPMENT_INSTANCE_RATE_LIMIT;
  const limitRotationsPerSecond = (scale: number) => limit / (windowMs / scale / 1_000) / instanceCallsPerRotation;
  const scale =
    forcedScale ??
    FLEET_SCALES.find((candidate) => limitRotationsPerSecond(candidate) * HEADROOM <= unlimitedRotationsPerSecond) ??
    1;
  return { scale, unlimitedRotationsPerSecond, limitRotationsPerSecond: limitRotationsPerSecond(scale) };
}
