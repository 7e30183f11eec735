import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/** The scheduled verification (`lambda/verify.ts`): {@link ClerkMachineKeyRotatorProps.verification}. */
export interface VerificationOptions {
  /**
   * Whether to deploy the verification function and its schedule.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * How often the verification runs: whole minutes, from 1 minute to 1 day, and at most a quarter of the shortest
   * positive previous-key TTL of the rotator and its machines, so that a drift is found (and healed) while the
   * replaced key still works.
   *
   * @default - 1 hour (`Defaults.verificationIntervalSeconds`)
   */
  readonly interval?: Duration;

  /**
   * Whether a drifted secret (AWSCURRENT's key is not Clerk's current key) is healed by starting a rotation, which
   * adopts Clerk's key. With false, drift is only reported (metric DriftFound, alarm). Passed as `VERIFY_HEAL`.
   *
   * @default true
   */
  readonly heal?: boolean;

  /**
   * The share of the Clerk rate limit (`clerkRateLimit`) the verification may use, greater than 0 and at most 1; the
   * rest stays with the apps and the rotations. Passed as `VERIFY_CLERK_RATE_SHARE`.
   *
   * @default 0.1 (`Defaults.verifyClerkRateShare`)
   */
  readonly clerkRateShare?: number;

  /**
   * An AWSPENDING version older than this is reported as stuck (metric PendingStuck, alarm): whole seconds, from
   * `rotateLandingHorizon` (a younger one may belong to a rotate that can still land) to 7 days. Passed as
   * `PENDING_STUCK_AFTER_SECONDS`.
   *
   * @default - 1 hour (`Defaults.pendingStuckAfterSeconds`)
   */
  readonly pendingStuckAfter?: Duration;

  /**
   * Pre-built code of the verification function with an `index.handler` export, instead of the package's prebuilt
   * bundle or `bundling: 'source'`. Meant for tests and for pipelines that build the bundle themselves.
   *
   * @default - as the rotator's `bundling` says
   */
  readonly code?: lambda.Code;
}
