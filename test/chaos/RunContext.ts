import { randomUUID } from 'node:crypto';
import { createClerkClient } from '../../lib/clerk/ClerkClient.ts';
import { Defaults, Stage, TagKey } from '../../lib/constants.ts';
import { Redacted } from '../../lib/Redacted.ts';
import type { ChaosStack } from './ChaosStack.ts';
import { ClerkLineage, LANDING_HEADER } from './ClerkLineage.ts';
import type { KnownIssue } from './knownIssues.ts';
import type { HeldRotate } from './RunClock.ts';
import { countIn, type RunStats } from './RunStats.ts';
import { type LogLine, messagesOf, parseLogLines } from './runLogs.ts';
import { SecretView } from './SecretView.ts';
import type { Schedule } from './schedule.ts';

export interface ScheduleRunOptions {
  /** Lift the exclusions of knownIssues.ts (to replay a finding). @default false */
  readonly includeKnownIssues?: boolean;
}

/**
 * What every part of one schedule's run shares: the stack it borrows, its machine and secret, what it has seen of
 * Clerk, the log lines and error messages it collected, the violations found so far, and where it is (for
 * messages). One per run; nothing here outlives it.
 */
export class RunContext {
  readonly chaos: ChaosStack;
  readonly schedule: Schedule;
  readonly stats: RunStats;
  readonly options: ScheduleRunOptions;
  readonly view: SecretView;
  readonly lineage: ClerkLineage;
  readonly violations: string[] = [];
  /** Error messages (with causes) the run saw: I5 scans them with the log lines. */
  readonly messages: string[] = [];
  readonly logs: string[] = [];
  /** Background work started from hooks (concurrent duplicates); awaited before any check. */
  spawned: Promise<unknown>[] = [];
  where = 'setup';
  /** Rotations (their tokens) in the order they started: each begins with a createSecret for a token not seen yet. */
  readonly rotationTokens: string[] = [];
  /** The stack's clock when the run began (times in messages are relative to it). */
  readonly startedAt: number;

  private constructor(
    chaos: ChaosStack,
    schedule: Schedule,
    view: SecretView,
    stats: RunStats,
    options: ScheduleRunOptions,
  ) {
    this.chaos = chaos;
    this.schedule = schedule;
    this.view = view;
    this.stats = stats;
    this.options = options;
    this.startedAt = chaos.stack.clock.now();
    const { machineId } = view.machine;
    this.lineage = new ClerkLineage(chaos.stack.clerk, machineId, chaos.stack.clerk.currentKey(machineId));
  }

  /** A fresh Clerk machine and its secret, tagged with the schedule's TTL and interval; rotation not yet enabled. */
  static async create(
    chaos: ChaosStack,
    schedule: Schedule,
    name: string,
    stats: RunStats,
    options: ScheduleRunOptions,
  ) {
    const { stack, wire } = chaos;
    const machine = stack.clerk.createMachine({ name });
    const { ttlSeconds, minIntervalSeconds } = schedule.settings;
    const tags: { Key: string; Value: string }[] = [{ Key: TagKey.machineId, Value: machine.id }];
    if (ttlSeconds !== Defaults.previousKeyTtlSeconds) {
      tags.push({ Key: TagKey.previousKeyTtlSeconds, Value: String(ttlSeconds) });
    }
    if (minIntervalSeconds !== Defaults.minRotationIntervalSeconds) {
      tags.push({ Key: TagKey.minRotationIntervalSeconds, Value: String(minIntervalSeconds) });
    }
    const secretName = `chaos/${name}`;
    const created = await wire.call<{ ARN: string; VersionId: string }>('CreateSecret', {
      Name: secretName,
      SecretString: JSON.stringify({ machineId: machine.id, secretKey: machine.secretKey }),
      Tags: tags,
    });
    const local = {
      machineId: machine.id,
      secretName,
      secretArn: created.ARN,
      instanceKeySecretName: stack.instanceKeySecretName,
    };
    const view = new SecretView(chaos, local, { versionId: created.VersionId, key: machine.secretKey });
    return new RunContext(chaos, schedule, view, stats, options);
  }

  get stack() {
    return this.chaos.stack;
  }

  get ttlSeconds(): number {
    return this.schedule.settings.ttlSeconds;
  }

  violate(text: string): void {
    this.violations.push(text);
  }

  /** Whether a known issue is excluded from this run (and counts it); false when CHAOS_KNOWN_ISSUES=1. */
  excused(issue: KnownIssue): boolean {
    if (this.options.includeKnownIssues) return false;
    countIn(this.stats.knownIssues, issue);
    return true;
  }

  /** Records a failed invocation or call the run made: its messages (with causes) for I5. */
  recordFailure(error: unknown): void {
    this.messages.push(...messagesOf(error));
  }

  /** Notes the invocation a function call belongs to: a createSecret for a new token starts a rotation. */
  noteInvocation(step: string | undefined, token: string | undefined): void {
    if (step === 'createSecret' && token !== undefined && !this.rotationTokens.includes(token)) {
      this.rotationTokens.push(token);
    }
  }

  /**
   * The rotation Secrets Manager would re-attempt: the latest one, unless a finishSecret for it succeeded or its
   * version carries neither AWSPENDING nor AWSCURRENT any more (abandoned: an operator or a refusal took the label
   * away, and its re-attempts could only fail with VERSION_NOT_PENDING). Secrets Manager re-attempts a failed
   * rotation with the same token whatever the labels say, so a finishSecret that failed after moving AWSCURRENT is
   * re-run (and completes its report).
   */
  openRotation(): string | undefined {
    const token = this.rotationTokens.at(-1);
    if (token === undefined) return undefined;
    const finished = this.parsedLogs().some(
      (l) => l.versionId === token && l.level === 'info' && l.message === `finishSecret ${l.outcome}`,
    );
    if (finished) return undefined;
    const stages = this.view.versions().find((v) => v.versionId === token)?.stages ?? [];
    return stages.includes(Stage.pending) || stages.includes(Stage.current) ? token : undefined;
  }

  collectLogs(): void {
    this.logs.push(...this.chaos.takeLogs());
  }

  parsedLogs(): LogLine[] {
    this.collectLogs();
    return parseLogLines(this.logs);
  }

  /** Waits until nothing the run started is still going: hook-started deliveries, rotations, late requests. */
  async quiesce(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const spawned = this.spawned;
      this.spawned = [];
      await Promise.allSettled(spawned);
      await this.stack.secretsManager.rotationsIdle();
      await this.stack.settled();
      if (this.spawned.length === 0) break;
    }
    this.lineage.settle();
  }

  /** Lands a rotate the run held: the same request the function sent, processed now. */
  async land(rotate: HeldRotate): Promise<void> {
    const id = randomUUID();
    this.lineage.noteLanding(id, rotate.token, rotate.beyondHorizon);
    const client = createClerkClient({
      apiUrl: this.stack.clerk.url,
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), [LANDING_HEADER]: id } }),
    });
    if (rotate.beyondHorizon) this.stats.landedBeyondHorizon += 1;
    else this.stats.landedWithinHorizon += 1;
    try {
      const instanceKey = new Redacted(this.stack.clerk.defaultInstance.secretKey);
      await client.rotateMachineSecretKey(instanceKey, this.view.machine.machineId, this.ttlSeconds);
    } catch (error) {
      this.messages.push(...messagesOf(error));
    }
    this.lineage.observe();
  }

  /** The run's secret goes at the end, so the verification of later runs lists only theirs. */
  async dispose(): Promise<void> {
    await this.chaos.wire
      .call('DeleteSecret', { SecretId: this.view.machine.secretArn, ForceDeleteWithoutRecovery: true })
      .catch((error: unknown) => this.messages.push(...messagesOf(error)));
  }
}
