import { Metric } from '../../lib/constants.ts';
import type { DriftMonitor, SecretSnapshot } from './DriftMonitor.ts';
import { PENDING_STUCK_AFTER_MS } from './DriftMonitor.ts';
import type { RunContext } from './RunContext.ts';
import { HORIZON_MS } from './scheduleArbitrary.ts';

/** How far the verification's own pacing may move the clock past the moment a run decides (one paced Clerk call). */
const PACING_SLACK_MS = 2_000;

/** The moments after which a verdict changes with nothing else changing: horizons ending, a pending version aging. */
function thresholds(s: SecretSnapshot): number[] {
  const horizons = s.recordsInFlight.map((r) => r.sentAt + HORIZON_MS);
  return s.pending === undefined ? horizons : [...horizons, s.pending.createdAt + PENDING_STUCK_AFTER_MS];
}

/**
 * The scheduled verification (lambda/verify.ts through `stack.verify()`), run at each of the schedule's ticks over
 * the run's secret (the only one listed: each run deletes its secret at the end). A tick is skipped when its run
 * could only repeat what is known: AWSCURRENT holds Clerk's key with nothing pending (in sync), or the secret is as
 * the last run found it and no landing horizon or stuck threshold passed since. Around each run, I6: drift it can
 * heal, it heals (a healing rotation started), and it never starts one while a recorded rotate may still land
 * (docs/decisions/009).
 */
export class VerificationTicks {
  readonly #ctx: RunContext;
  readonly #drift: DriftMonitor;
  #last: { readonly state: string; readonly at: number; readonly thresholds: readonly number[] } | undefined;

  constructor(ctx: RunContext, drift: DriftMonitor) {
    this.#ctx = ctx;
    this.#drift = drift;
  }

  async tick(): Promise<void> {
    const ctx = this.#ctx;
    await ctx.quiesce();
    if (this.#skippable()) return;
    const where = `${ctx.where}, verification at +${Math.round((ctx.stack.clock.now() - ctx.startedAt) / 1000)} s`;
    const before = await this.#drift.snapshot();
    this.#drift.assess(before, where);
    const healable = this.#drift.healable(before);
    const decidedOn = this.#state();
    const summary = await ctx.stack.verify();
    await ctx.quiesce();
    ctx.stats.verificationRuns += 1;
    const healed = (summary.counts[Metric.driftHealed] ?? 0) > 0;
    if (healed) {
      ctx.stats.verificationHeals += 1;
      this.#drift.healStarted(before.at);
    }
    const after = await this.#drift.snapshot();
    this.#drift.assess(after, where);
    if (healable && !healed) {
      ctx.violate(`I6 (${where}): the verification found drift it could heal and started no healing rotation`);
    }
    if (healed && before.recordsInFlight.length > 0) {
      ctx.violate(
        `I6 (${where}): the verification started a healing rotation while a recorded rotate could still land`,
      );
    }
    this.#last = { state: decidedOn, at: before.at, thresholds: thresholds(before) };
  }

  /** The secret's labels and Clerk's key as the emulators hold them (no reads): what a verdict depends on. */
  #state(): string {
    const { view, lineage } = this.#ctx;
    return JSON.stringify([view.versions().map((v) => [v.versionId, v.stages, v.hasValue]), lineage.currentKey()]);
  }

  #skippable(): boolean {
    const { view, lineage, stack } = this.#ctx;
    if (view.rotationLambdaArn() !== stack.functionArn) return true; // not listed: rotation is not configured yet
    const current = view.cachedCurrent();
    if (view.pendingVersion() === undefined && current !== undefined && current.key === lineage.currentKey()) {
      return true;
    }
    const last = this.#last;
    if (last === undefined || last.state !== this.#state()) return false;
    const now = stack.clock.now();
    return !last.thresholds.some((at) => at >= last.at - PACING_SLACK_MS && at < now);
  }
}
