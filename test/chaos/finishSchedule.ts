import { checkLegalEndState } from '../support/rotationInvariants.ts';
import type { CurrentKeyJudge } from './CurrentKeyJudge.ts';
import type { RunClock } from './RunClock.ts';
import type { RunContext } from './RunContext.ts';
import { LATEST_LANDING_MS } from './scheduleArbitrary.ts';

/** Re-attempts at the schedule's gap before Secrets Manager's later ones. */
const QUICK_REATTEMPTS = 3;
/**
 * Later re-attempts come this long apart: past the landing horizon and the default minimum interval, as AWS's own
 * re-attempt of a failed rotation (at its next rotation window) would be.
 */
const LATER_REATTEMPT_MS = Math.max(LATEST_LANDING_MS, 900_000) + 60_000;
/**
 * How long (emulated) the secret has to come to rest once faults stop: room for a landing horizon, a stuck
 * threshold, several re-attempts and verification intervals. Beyond it the run calls the secret stuck.
 */
const REST_WITHIN_MS = 12 * 3_600_000;
/** A bound on rounds (a re-attempt, a tick, a landing) too, whatever the clock does. */
const MAX_ROUNDS = 2_000;

export interface EndPhaseParts {
  readonly ctx: RunContext;
  readonly clock: RunClock;
  readonly judge: CurrentKeyJudge;
  /** I1 and I6 after something happened (reads the secret). */
  checkNow(where: string): Promise<void>;
  /** Secrets Manager re-attempts the rotation `token`: its four steps in order, up to the first failure. */
  reattempt(token: string): Promise<void>;
}

/**
 * I4, once faults stop: nothing but Secrets Manager's re-attempts of the open rotation (a few at the schedule's gap,
 * then further apart) and the scheduled verification (which heals drift and clears a stuck AWSPENDING) may act — no
 * operator. Held rotates still land at their time. The secret must come to rest: AWSCURRENT holds Clerk's current
 * key, no rotation is open or pending, nothing is left to land, and every reporting duty is discharged.
 */
export async function finishSchedule(parts: EndPhaseParts): Promise<void> {
  const { ctx, clock } = parts;
  ctx.where = 'after faults stopped';
  let reattempts = 0;
  const deadline = clock.now() + REST_WITHIN_MS;
  for (let round = 0; round < MAX_ROUNDS && clock.now() <= deadline; round++) {
    await ctx.quiesce();
    await clock.catchUp();
    await parts.checkNow(ctx.where);
    const open = ctx.openRotation();
    const current = await ctx.view.current();
    const inSync = ctx.view.pendingVersion() === undefined && current?.key === ctx.lineage.currentKey();
    if (open === undefined && inSync && clock.held.length === 0) break;
    if (open === undefined) {
      // In sync with a rotate still to land: wait for it. Drift: the verification's business, at its next tick.
      const landing = clock.held[0];
      if (inSync && landing !== undefined) await clock.advance(Math.max(0, landing.at - clock.now()));
      else {
        ctx.stats.verificationWaits += 1;
        await clock.advanceToNextEvent();
      }
      continue;
    }
    await clock.advance(reattempts < QUICK_REATTEMPTS ? ctx.schedule.settings.retryGapMs : LATER_REATTEMPT_MS);
    if (ctx.openRotation() !== open) continue;
    reattempts += 1;
    ctx.stats.finalReattempts += 1;
    await parts.reattempt(open);
  }
  await ctx.quiesce();
  await parts.checkNow(ctx.where);
  await checkEndState(parts);
}

async function checkEndState({ ctx, clock, judge }: EndPhaseParts): Promise<void> {
  const { view, lineage } = ctx;
  const pending = view.pendingVersion();
  const open = ctx.openRotation();
  const current = await view.current();
  const clerkKey = lineage.currentKey();
  ctx.violations.push(...checkLegalEndState({ stack: ctx.stack, machine: view.machine, logs: ctx.logs }));
  if (open !== undefined || pending !== undefined) {
    ctx.violate(
      `I4: once faults stopped, the rotation ${open ?? pending?.versionId} never completed and nothing cleared it`,
    );
  }
  if (current?.key !== clerkKey) ctx.violate("I4: at the end AWSCURRENT does not hold Clerk's current key");
  if (!(await view.isStored(clerkKey))) ctx.violate("I3: at the end Clerk's current key is in no labelled version");
  if (clock.held.length > 0) ctx.violate(`I4: ${clock.held.length} held rotates never landed`);
  for (const [versionId, duty] of judge.duties) {
    ctx.violate(`I1: version ${versionId} (seen expired ${duty.seenAt}) was never reported by a finished rotation`);
  }
}
