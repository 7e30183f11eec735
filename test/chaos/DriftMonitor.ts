import { Defaults } from '../../lib/constants.ts';
import type { RotateRecord } from '../../lib/core/rotateRecords.ts';
import { createDriftWatch, isHealableDrift } from '../support/rotationInvariants.ts';
import type { RunContext } from './RunContext.ts';
import type { VersionView } from './SecretView.ts';
import { HORIZON_MS } from './scheduleArbitrary.ts';

export const PENDING_STUCK_AFTER_MS = Defaults.pendingStuckAfterSeconds * 1000;

/** The secret as the verification would see it, at one moment. */
export interface SecretSnapshot {
  readonly at: number;
  readonly currentVersionId: string | undefined;
  readonly currentKey: string | undefined;
  readonly clerkKey: string;
  /** AWSPENDING on a version other than AWSCURRENT. */
  readonly pending: VersionView | undefined;
  readonly recordsInFlight: readonly RotateRecord[];
  /** Rotation is configured with the stack's function: the verification lists only such secrets. */
  readonly managed: boolean;
}

/**
 * I6's state over a run. A rotation has *converged* when AWSCURRENT holds Clerk's current key, no AWSPENDING sits on
 * another version and no recorded rotate may still land; from then until the next rotation starts, AWSCURRENT's key
 * must stay Clerk's current key or inside its overlap (checked by the current-key judge). Drift the verification can
 * heal must be gone within one verification interval (checked here, at every full look at the secret).
 */
export class DriftMonitor {
  readonly #ctx: RunContext;
  readonly #watch: ReturnType<typeof createDriftWatch>;
  #convergedSince: number | undefined;

  constructor(ctx: RunContext, intervalMs: number) {
    this.#ctx = ctx;
    this.#watch = createDriftWatch(intervalMs);
    // The secret starts as a converged state: AWSCURRENT holds the machine's only key.
    this.#convergedSince = ctx.stack.clock.now();
  }

  get converged(): boolean {
    return this.#convergedSince !== undefined;
  }

  /**
   * A rotation is running (AWSPENDING seen on another version, from a hook): not converged, and while it runs any
   * drift is the rotation's to settle, not the verification's (seen again at the next full look).
   */
  rotationRunning(): void {
    this.#convergedSince = undefined;
    this.#watch.observe(this.#ctx.stack.clock.now(), false);
  }

  async snapshot(): Promise<SecretSnapshot> {
    const { view, lineage, stack } = this.#ctx;
    const at = stack.clock.now();
    const current = await view.current();
    return {
      at,
      currentVersionId: current?.versionId,
      currentKey: current?.key,
      clerkKey: lineage.currentKey(),
      pending: view.pendingVersion(),
      recordsInFlight: await view.recordsInFlight(at, HORIZON_MS),
      managed: view.rotationLambdaArn() === stack.functionArn,
    };
  }

  /** Whether the verification must heal what `s` shows (docs/decisions/009's rules). */
  healable(s: SecretSnapshot): boolean {
    if (!s.managed) return false;
    const pendingAgeMs = s.pending === undefined ? undefined : s.at - s.pending.createdAt;
    const drift = s.currentKey !== s.clerkKey;
    return isHealableDrift({ drift, pendingAgeMs, recordsInFlight: s.recordsInFlight.length }, PENDING_STUCK_AFTER_MS);
  }

  /** The verification started a healing rotation: a new interval for it to work in. */
  healStarted(at: number): void {
    this.#watch.healStarted(at);
  }

  /** Updates convergence and checks I6's healing half against a full look at the secret. */
  assess(s: SecretSnapshot, where: string): void {
    const running = s.pending !== undefined || s.recordsInFlight.length > 0;
    if (running) this.#convergedSince = undefined;
    else if (s.currentKey !== undefined && s.currentKey === s.clerkKey) this.#convergedSince ??= s.at;
    for (const violation of this.#watch.observe(s.at, this.healable(s))) {
      this.#ctx.violate(`${violation} (${where}; AWSCURRENT ${s.currentVersionId ?? 'none'})`);
    }
  }
}
