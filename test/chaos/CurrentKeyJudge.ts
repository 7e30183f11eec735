import { ErrorCode } from '../../lib/errors.ts';
import { checkCurrentKeyInOverlap } from '../support/rotationInvariants.ts';
import { type CurrentKeyStatus, classifyCurrentKey } from './classifyCurrentKey.ts';
import type { DriftMonitor } from './DriftMonitor.ts';
import type { RunContext } from './RunContext.ts';
import type { LogLine } from './runLogs.ts';

const OPERATOR: ReadonlySet<CurrentKeyStatus> = new Set(['killed-by-operator', 'expired-by-operator']);

/**
 * I1 and I6's first half, wherever the run looks at AWSCURRENT (after every action, before every call the
 * function makes): the key in AWSCURRENT works at Clerk, or its death is explained — by an operator's dashboard
 * rotation (counted), by a rotate that landed after its horizon (007's residual risk, counted), or by the expiry of
 * the overlap our own rotation asked for (allowed while a rotation runs, with a duty: the finishSecret that moves
 * AWSCURRENT off the dead key reports it). After a rotation converged (I6), only the first two are allowed.
 */
export class CurrentKeyJudge {
  readonly #ctx: RunContext;
  readonly #drift: DriftMonitor;
  /**
   * AWSCURRENT versions whose key was seen dead by expiry — where, and how many log lines there were then: the
   * rotation that replaces them must report it.
   */
  readonly duties = new Map<string, { readonly seenAt: string; readonly fromLine: number }>();
  readonly #counted = new Set<string>();
  /** Every version seen as AWSCURRENT. */
  readonly #seenCurrent = new Set<string>();
  /** AWSCURRENT's version as last seen, and which version was seen taking AWSCURRENT over from which. */
  #lastCurrent: string | undefined;
  readonly #replacedBy = new Map<string, string>();

  constructor(ctx: RunContext, drift: DriftMonitor) {
    this.#ctx = ctx;
    this.#drift = drift;
  }

  /** Whether the run has seen this version as AWSCURRENT. */
  wasCurrent(versionId: string): boolean {
    return this.#seenCurrent.has(versionId);
  }

  /** From inside a hook: labels from the emulator, the key from the cache, no reads. */
  judgeFromCache(where: string): void {
    if (this.#ctx.view.pendingVersion() !== undefined) this.#drift.rotationRunning();
    const current = this.#ctx.view.cachedCurrent();
    if (current !== undefined) this.judge(current.versionId, current.key, where);
  }

  judge(versionId: string, key: string, where: string): CurrentKeyStatus {
    const { stack, lineage, view } = this.#ctx;
    this.#seenCurrent.add(versionId);
    if (this.#lastCurrent !== undefined && this.#lastCurrent !== versionId) {
      this.#replacedBy.set(this.#lastCurrent, versionId);
    }
    this.#lastCurrent = versionId;
    const valid = stack.clerk.isKeyValid(view.machine.machineId, key);
    const status = classifyCurrentKey(key, valid, lineage, stack.clock.now());
    if (this.#drift.converged && status !== 'valid' && !this.#explained(status, key)) {
      for (const violation of checkCurrentKeyInOverlap({ stack, machine: view.machine }, key)) {
        this.#ctx.violate(`${violation} (${where}; version ${versionId}: ${status}, after the rotation had converged)`);
      }
    }
    if (status === 'expired') {
      if (!this.duties.has(versionId)) {
        this.#ctx.collectLogs();
        this.duties.set(versionId, { seenAt: where, fromLine: this.#ctx.logs.length });
      }
    } else if (OPERATOR.has(status) || status === 'killed-by-late-landing') {
      this.#countOnce(versionId, status);
    } else if (status !== 'valid') {
      this.#ctx.violate(
        `I1 (${where}): the key in AWSCURRENT (version ${versionId}) no longer works at Clerk: ${status}`,
      );
    }
    return status;
  }

  /** Counts a key the engine could not keep alive once per version, whatever number of looks saw it dead. */
  #countOnce(versionId: string, status: CurrentKeyStatus): void {
    if (this.#counted.has(versionId)) return;
    this.#counted.add(versionId);
    if (status === 'killed-by-late-landing') this.#ctx.stats.lateLandingKilledCurrentKey += 1;
    else this.#ctx.stats.operatorKilledCurrentKey += 1;
  }

  /**
   * After a rotation converged, a dead AWSCURRENT is explained only by what the engine cannot prevent: an operator,
   * or a rotate that landed after its horizon with an overlap shorter than the time to heal (an emergency's TTL 0).
   */
  #explained(status: CurrentKeyStatus, key: string): boolean {
    if (OPERATOR.has(status) || status === 'killed-by-late-landing') return true;
    const { lineage, ttlSeconds } = this.#ctx;
    const generation = lineage.generationOf.get(key);
    return (
      status === 'expired' &&
      ttlSeconds === 0 &&
      generation !== undefined &&
      lineage.landedBeyondHorizon.has(generation)
    );
  }

  /**
   * I1's duty, checked where it applies — at finish: once AWSCURRENT has moved off a version whose key was seen dead
   * by expiry and a finishSecret has succeeded since (the one that moved it, or its re-run), the log lines of a
   * rotation that finished since (they carry its version id) must say so: an OVERLAP_EXPIRED error line and the OverlapExpired metric; for an emergency (TTL 0), whose purpose is to
   * end the old key, its verdict on the replaced key (`old-key-rejected`, or OLD_KEY_STILL_ACCEPTED).
   */
  discharge(currentVersionId: string, where: string): void {
    for (const [versionId, duty] of this.duties) {
      if (versionId === currentVersionId) continue;
      const lines = this.#ctx.parsedLogs().slice(duty.fromLine);
      // The finishSecret that moved AWSCURRENT off it reported, even if that invocation failed afterwards (a label
      // removal) and was superseded by a new rotation instead of re-run.
      const mover = this.#replacedBy.get(versionId);
      if (mover !== undefined && this.#missingReport(lines.filter((l) => l.versionId === mover)) === undefined) {
        this.duties.delete(versionId);
        continue;
      }
      const promoted = new Set(
        lines.flatMap((l) =>
          l.versionId && l.versionId !== versionId && l.level === 'info' && l.message === `finishSecret ${l.outcome}`
            ? [l.versionId]
            : [],
        ),
      );
      // A finishSecret that failed after the move is re-run by Secrets Manager's re-attempt, which reports.
      if (promoted.size === 0) continue;
      this.duties.delete(versionId);
      const reports = [...promoted].map((id) => this.#missingReport(lines.filter((l) => l.versionId === id)));
      if (reports.includes(undefined)) continue;
      this.#ctx.violate(
        `I1 (${where}): the key of AWSCURRENT version ${versionId} was dead (seen ${duty.seenAt}), but the finishSecret that moved AWSCURRENT off it (${[...promoted].join(', ')}) logged ${reports[0]}`,
      );
    }
  }

  /** What the finishSecret's lines lack of the report I1 asks for; undefined when complete. */
  #missingReport(lines: readonly LogLine[]): string | undefined {
    if (this.#ctx.ttlSeconds === 0) {
      const verdict = lines.some(
        (l) => l.outcome === 'old-key-rejected' || l.errorCode === ErrorCode.oldKeyStillAccepted,
      );
      return verdict ? undefined : "no verdict on the emergency's replaced key";
    }
    const errorLine = lines.some((l) => l.level === 'error' && l.errorCode === ErrorCode.overlapExpired);
    const metric = lines.some((l) => l.OverlapExpired === 1);
    if (errorLine && metric) return undefined;
    return [errorLine ? '' : 'no OVERLAP_EXPIRED error line', metric ? '' : 'no OverlapExpired metric']
      .filter(Boolean)
      .join(' and ');
  }
}
