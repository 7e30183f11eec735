import { randomUUID } from 'node:crypto';
import { ROTATION_STEPS, type RotationStep, Stage } from '../../lib/constants.ts';
import type { ClerkExchange } from '../../localstack/clerk/index.ts';
import { armFault, ROTATE_OPERATION } from './armFault.ts';
import type { ChaosStack, InvocationCall, StackObserver } from './ChaosStack.ts';
import { CurrentKeyJudge } from './CurrentKeyJudge.ts';
import { checkRunAfterwards } from './checkRunAfterwards.ts';
import { DriftMonitor } from './DriftMonitor.ts';
import { finishSchedule } from './finishSchedule.ts';
import { PromotionWatch } from './PromotionWatch.ts';
import { RunClock } from './RunClock.ts';
import { RunContext, type ScheduleRunOptions } from './RunContext.ts';
import type { RunStats } from './RunStats.ts';
import { logDigest } from './runLogs.ts';
import { type Action, type DuplicateMode, describeAction, type Schedule } from './schedule.ts';
import { landsBeyondHorizon } from './scheduleArbitrary.ts';
import { VerificationTicks } from './VerificationTicks.ts';

export type { ScheduleRunOptions } from './RunContext.ts';

type PlannedAction = Extract<Action, { type: 'fault' | 'dashboard' | 'advance' | 'duplicate' | 'removePending' }>;

interface PlannedEffect {
  /** Index (within the run) of the function call it fires before, or the function's next rotate at Clerk. */
  readonly fireAt: number | 'rotate';
  readonly action: PlannedAction;
}

/**
 * A clock jump never fires at the rotate call itself: there it would fall between the function's last check of the
 * rotate record's send window and the request leaving — a pause of the process inside one synchronous step, which
 * Lambda does not do to a running invocation and no record can bound (docs/decisions/007, "What remains possible").
 * It moves on to the next call; jumps at every call before the rotate still test the send window.
 */
const isDue = (effect: PlannedEffect, index: number, isRotate: boolean): boolean => {
  if (effect.fireAt === 'rotate') return isRotate;
  if (isRotate && effect.action.type === 'advance') return false;
  return effect.fireAt <= index;
};

/**
 * One schedule executed against the shared stack, with a fresh machine and secret. It receives the stack's hooks
 * while it runs (planned faults, operator actions, clock jumps and duplicate deliveries fire from there), checks the
 * invariants after every action and in every hook, and at the end stops the faults and lets Secrets Manager and the
 * verification bring the secret to rest (finishSchedule). Violations are collected; `execute` throws them at once.
 */
export class ScheduleRun implements StackObserver {
  readonly #ctx: RunContext;
  readonly #clock: RunClock;
  readonly #drift: DriftMonitor;
  readonly #judge: CurrentKeyJudge;
  readonly #promotions: PromotionWatch;
  #calls = 0;
  #plan: PlannedEffect[] = [];
  #duplicating = 0;
  #faultsStopped = false;

  private constructor(ctx: RunContext) {
    this.#ctx = ctx;
    const interval = ctx.schedule.settings.verifyIntervalMs;
    this.#drift = new DriftMonitor(ctx, interval);
    this.#judge = new CurrentKeyJudge(ctx, this.#drift);
    this.#promotions = new PromotionWatch(ctx);
    const ticks = new VerificationTicks(ctx, this.#drift);
    this.#clock = new RunClock(ctx.stack, { land: (rotate) => ctx.land(rotate), tick: () => ticks.tick() }, interval);
  }

  static async create(
    chaos: ChaosStack,
    schedule: Schedule,
    name: string,
    stats: RunStats,
    options: ScheduleRunOptions = {},
  ): Promise<ScheduleRun> {
    return new ScheduleRun(await RunContext.create(chaos, schedule, name, stats, options));
  }

  /** Runs the schedule and the end phase; throws one error listing every violation. */
  async execute(): Promise<void> {
    const ctx = this.#ctx;
    ctx.chaos.takeLogs();
    ctx.chaos.observer = this;
    try {
      for (const [index, action] of ctx.schedule.actions.entries()) {
        ctx.where = `action ${index + 1} ${describeAction(action)}`;
        await this.#perform(action);
        await this.#settleAction();
        await this.#checkNow(ctx.where);
      }
      this.#faultsStopped = true;
      this.#plan = [];
      await finishSchedule({
        ctx,
        clock: this.#clock,
        judge: this.#judge,
        checkNow: (where) => this.#checkNow(where),
        reattempt: (token) => this.#runSteps(token, undefined),
      });
    } finally {
      ctx.chaos.observer = undefined;
      this.#clearEmulatorFaults();
      await ctx.dispose();
    }
    checkRunAfterwards(ctx);
    if (ctx.violations.length > 0) {
      throw new Error(
        `invariant violations:\n- ${[...new Set(ctx.violations)].join('\n- ')}\nthe run's log (I5 held):\n${logDigest(ctx.parsedLogs())}`,
      );
    }
  }

  // ── the stack's hooks ──────────────────────────────────────────────────────────────────────────────────────

  async onFunctionCall(call: InvocationCall): Promise<void> {
    const ctx = this.#ctx;
    const index = this.#calls++;
    ctx.stats.functionCalls += 1;
    ctx.noteInvocation(call.step, call.token);
    // The state as the call arrives, before its planned effects (a stall, an operator) change it.
    if (ctx.view.pendingVersion() !== undefined) this.#drift.rotationRunning();
    const isRotate = call.service === 'clerk' && call.operation === ROTATE_OPERATION;
    if (isRotate) ctx.lineage.noteSend(call.token);
    const due = this.#faultsStopped ? [] : this.#plan.filter((effect) => isDue(effect, index, isRotate));
    if (due.length > 0) this.#plan = this.#plan.filter((effect) => !isDue(effect, index, isRotate));
    let fault: Extract<PlannedAction, { type: 'fault' }> | undefined;
    for (const effect of due) {
      const { action } = effect;
      if (action.type === 'fault' && fault === undefined) fault = action;
      // One fault per call, one duplicate at a time: the others move on to the next call (or rotate).
      else if (action.type === 'fault' || !(await this.#fire(action, call))) {
        this.#plan.push({ fireAt: effect.fireAt === 'rotate' ? 'rotate' : index + 1, action });
      }
    }
    this.#promotions.onCall(call);
    this.#judge.judgeFromCache(`${ctx.where}, before ${call.service}:${call.operation} in ${call.step ?? '?'}`);
    if (fault === undefined) return;
    const armed = armFault(ctx.stack, call, fault.kind, fault.landAfterMs);
    ctx.stats.faultsFired += 1;
    if (armed.holdRotateMs !== undefined && call.token !== undefined) {
      const at = ctx.stack.clock.now() + armed.holdRotateMs;
      this.#clock.hold({ at, token: call.token, beyondHorizon: landsBeyondHorizon(armed.holdRotateMs) });
    }
  }

  onClerkExchange(exchange: ClerkExchange): void {
    this.#ctx.lineage.onExchange(exchange);
  }

  /** A planned effect due before `call`; false when it must wait for a later call. */
  async #fire(action: PlannedAction, call: InvocationCall): Promise<boolean> {
    switch (action.type) {
      case 'advance':
        await this.#advance(action.ms, true);
        return true;
      case 'dashboard':
        this.#rotateViaDashboard(action.ttlSeconds);
        return true;
      case 'removePending':
        await this.#removePending();
        return true;
      case 'duplicate':
        return this.#deliverAgain(call, action.mode);
      case 'fault':
        return false;
    }
  }

  // ── actions ────────────────────────────────────────────────────────────────────────────────────────────────

  async #perform(action: Action): Promise<void> {
    switch (action.type) {
      case 'rotate':
        return this.#rotateSecret(true);
      case 'testOnly':
        return this.#rotateSecret(false);
      case 'reattempt':
        return this.#reattempt(action.afterMs, action.twice);
      case 'dashboard':
        if (action.at === undefined) this.#rotateViaDashboard(action.ttlSeconds);
        else this.#plan.push({ fireAt: this.#calls + action.at, action });
        return;
      case 'removePending':
        if (action.at === undefined) await this.#removePending();
        else this.#plan.push({ fireAt: this.#calls + action.at, action });
        return;
      case 'advance':
        if (action.at === undefined) await this.#advance(action.ms, false);
        else this.#plan.push({ fireAt: this.#calls + action.at, action });
        return;
      case 'fault':
        this.#plan.push({ fireAt: action.at === 'rotate' ? 'rotate' : this.#calls + action.at, action });
        return;
      case 'duplicate':
        this.#plan.push({ fireAt: this.#calls + action.at, action });
        return;
    }
  }

  async #rotateSecret(immediately: boolean): Promise<void> {
    const ctx = this.#ctx;
    try {
      await ctx.chaos.wire.call('RotateSecret', {
        SecretId: ctx.view.machine.secretArn,
        RotationLambdaARN: ctx.stack.functionArn,
        RotateImmediately: immediately,
        ClientRequestToken: randomUUID(),
      });
      if (immediately) ctx.stats.rotationsStarted += 1;
    } catch (error) {
      // "A previous rotation isn't complete": Secrets Manager refuses a new rotation while one is pending.
      ctx.recordFailure(error);
      ctx.stats.rotationsRefusedPending += 1;
    }
  }

  /** Secrets Manager re-attempts the open rotation `afterMs` later (the verification may act meanwhile). */
  async #reattempt(afterMs: number, twice: { step: RotationStep; mode: DuplicateMode } | undefined): Promise<void> {
    const token = this.#ctx.openRotation();
    if (token === undefined) return;
    this.#ctx.stats.reattempts += 1;
    if (twice !== undefined) this.#ctx.stats.reattemptsTwice += 1;
    await this.#advance(afterMs, false);
    await this.#ctx.quiesce();
    await this.#runSteps(token, twice);
  }

  /** The four steps for `token`, in order, up to the first failure; `twice` delivers one step twice. */
  async #runSteps(token: string, twice: { step: RotationStep; mode: DuplicateMode } | undefined): Promise<void> {
    for (const step of ROTATION_STEPS) {
      let succeeded: boolean;
      if (twice?.step === step && twice.mode === 'sequential') {
        await this.#invoke(step, token);
        succeeded = await this.#invoke(step, token);
      } else if (twice?.step === step) {
        [succeeded] = await Promise.all([this.#invoke(step, token), this.#invoke(step, token)]);
      } else {
        succeeded = await this.#invoke(step, token);
      }
      if (!succeeded) return;
    }
  }

  async #invoke(step: RotationStep, token: string): Promise<boolean> {
    try {
      await this.#ctx.stack.invokeStep(step, this.#ctx.view.machine.secretArn, token);
      return true;
    } catch (error) {
      this.#ctx.recordFailure(error);
      return false;
    }
  }

  /** The step making `call` is delivered again for the same token; false while a duplicate is already running. */
  async #deliverAgain(call: InvocationCall, mode: DuplicateMode): Promise<boolean> {
    const step = call.step as RotationStep | undefined;
    if (this.#duplicating > 0) return false;
    if (step === undefined || call.token === undefined) return true;
    this.#ctx.stats.duplicatesRun += 1;
    this.#duplicating += 1;
    const delivery = this.#invoke(step, call.token).finally(() => {
      this.#duplicating -= 1;
    });
    if (mode === 'sequential') await delivery;
    else this.#ctx.spawned.push(delivery);
    return true;
  }

  #rotateViaDashboard(ttlSeconds: number): void {
    const { stack, view, lineage, stats } = this.#ctx;
    stack.clerk.rotateViaDashboard(view.machine.machineId, { previousTokenTtlSeconds: ttlSeconds });
    stats.dashboardRotations += 1;
    lineage.observe();
  }

  /** The operator removes AWSPENDING by hand (no-op when nothing is pending). */
  async #removePending(): Promise<void> {
    const ctx = this.#ctx;
    const pending = ctx.view.pendingVersion();
    if (pending === undefined) return;
    try {
      await ctx.chaos.wire.call('UpdateSecretVersionStage', {
        SecretId: ctx.view.machine.secretArn,
        VersionStage: Stage.pending,
        RemoveFromVersionId: pending.versionId,
      });
      ctx.stats.pendingRemovedByOperator += 1;
    } catch (error) {
      ctx.recordFailure(error);
    }
  }

  async #advance(ms: number, inHook: boolean): Promise<void> {
    if (ms <= 0) return;
    this.#ctx.stats.clockJumps += 1;
    await this.#clock.advance(ms, { inHook });
  }

  // ── checks ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** After an action: everything started has finished, late requests have landed, deferred ticks have run. */
  async #settleAction(): Promise<void> {
    await this.#ctx.quiesce();
    this.#clearEmulatorFaults();
    await this.#clock.catchUp();
  }

  #clearEmulatorFaults(): void {
    this.#ctx.stack.clerk.faults.clear();
    this.#ctx.stack.secretsManager.faults.clear();
  }

  /** I1 (with its duty) and I6 after something happened; reads the secret. */
  async #checkNow(where: string): Promise<void> {
    const ctx = this.#ctx;
    ctx.collectLogs();
    const snapshot = await this.#drift.snapshot();
    if (snapshot.currentVersionId === undefined || snapshot.currentKey === undefined) {
      ctx.violate(`I1 (${where}): the secret has no readable AWSCURRENT key`);
      return;
    }
    this.#drift.assess(snapshot, where);
    this.#judge.judge(snapshot.currentVersionId, snapshot.currentKey, where);
    this.#judge.discharge(snapshot.currentVersionId, where);
    await this.#promotions.check((versionId) => this.#judge.wasCurrent(versionId), where);
  }
}
