import { ErrorCode } from '../../errors.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { type Line, type ReportView, tone } from '../createOutput.ts';
import type { PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { ExitCode } from '../ExitCode.ts';
import type { ReasonCode } from '../errors.ts';
import type { FollowFailure, RotationProgress } from '../followRotation.ts';
import { formatDuration, formatInstant, formatRelative, isoOrNull } from '../formatTime.ts';
import { functionLogDocument, functionLogLines } from '../functionLogView.ts';
import type { FunctionLogReport } from '../readFunctionLog.ts';
import type { RotateInFlight } from '../rotatesInFlight.ts';
import { runbookLink } from '../runbookLink.ts';
import type { EmergencyTagReport } from '../withEmergencyTags.ts';
import type { OldKeyCheck } from './checkOldKeyRevoked.ts';

/** How a rotation the CLI started ended, as far as it waited. */
export type RotateOutcome =
  | { readonly outcome: 'started' }
  | {
      readonly outcome: 'promoted';
      readonly elapsedMs: number;
      readonly previousKeyExpiresAt: string | undefined;
      readonly leftoverPendingLabel: boolean;
      readonly events: readonly RotationProgress[];
      readonly now: number;
    }
  | {
      readonly outcome: 'failed';
      readonly failure: FollowFailure;
      readonly code: ReasonCode;
      readonly reason: string;
      /** Where the rotation stopped (or waits), in words. */
      readonly stuckIn: string;
      /** A recorded rotate that may still land: the rotation waits for its horizon, it is not stuck. */
      readonly inFlight: RotateInFlight | undefined;
      readonly elapsedMs: number;
      /** The pending version's diagnosis (timeout, cancelled), or why there is none. */
      readonly diagnosis: PendingDiagnosis | undefined;
      readonly problem: string | undefined;
      /** What the rotation function recorded for the version, or where it is. */
      readonly functionLog: FunctionLogReport;
      readonly events: readonly RotationProgress[];
    };

/** One `rotate`: the secret, the rotation's version, and its outcome; an emergency also reports its tags. */
export interface RotateReport {
  readonly secret: { readonly name: string; readonly arn: string };
  readonly versionId: string;
  readonly previousVersionId: string | undefined;
  readonly emergency: boolean;
  readonly result: RotateOutcome;
  readonly emergencyTags?: EmergencyTagReport;
  /** An emergency that promoted: what Clerk said afterwards about the key that was AWSCURRENT when it began. */
  readonly oldKey?: OldKeyCheck;
}

type Failed = Extract<RotateOutcome, { outcome: 'failed' }>;
type Promoted = Extract<RotateOutcome, { outcome: 'promoted' }>;

/** What the report may say about the previous key: Clerk's answer after an emergency, else the value's record. */
function previousKeyLine(report: RotateReport, result: Promoted): Line | undefined {
  if (report.oldKey?.state === 'rejected') {
    return [
      tone.ok(
        `The previous key stopped working at Clerk: Clerk rejected it at ${formatInstant(report.oldKey.checkedAt)}.`,
      ),
    ];
  }
  if (report.oldKey !== undefined || result.previousKeyExpiresAt === undefined) return undefined;
  const expires = Date.parse(result.previousKeyExpiresAt);
  return expires > result.now
    ? `The previous key keeps working at Clerk until ${formatInstant(expires)} (${formatRelative(expires, result.now)}).`
    : `AWSCURRENT records that the previous key's overlap ended at ${formatInstant(expires)} (not asked of Clerk; \`verify\` asks).`;
}

function promotedLines(report: RotateReport, result: Promoted): Line[] {
  const lines: Line[] = [
    [tone.ok(`Rotated in ${(result.elapsedMs / 1000).toFixed(1)} s: AWSCURRENT is version ${report.versionId}.`)],
  ];
  const previous = previousKeyLine(report, result);
  if (previous !== undefined) lines.push(previous);
  if (result.leftoverPendingLabel) {
    lines.push([
      tone.warn(
        `AWSPENDING is still on the new version after ${CliDefaults.pendingCleanupGraceSeconds} s; the next rotation or \`repair --apply\` removes it.`,
      ),
    ]);
  }
  return lines;
}

/** An emergency whose suspected key Clerk did not reject: not a success, whatever the rotation did. */
function oldKeyMessages(report: RotateReport, check: OldKeyCheck): Line[] {
  const code = ErrorCode.oldKeyStillAccepted;
  const asked = `asked ${check.checks} times over ${formatDuration(CliDefaults.revocationCheckPausesSeconds.reduce((a, b) => a + b, 0) * 1000)}, the last at ${formatInstant(check.checkedAt)}`;
  const what =
    check.state === 'still-accepted'
      ? `Clerk still accepts the previous key (${asked})`
      : `whether Clerk still accepts the previous key could not be checked (${check.errorCode}; ${asked})`;
  return [
    [tone.bad(`error [${code}]: the emergency rotation of ${report.secret.name} moved AWSCURRENT, but ${what}`)],
    `  runbook: ${runbookLink(code)}`,
    `  next: treat the old key as live: revoke it in Clerk's dashboard; \`${CliDefaults.programName} verify ${report.secret.name}\` asks Clerk again`,
  ];
}

function nextAfterFailure(report: RotateReport, result: Failed): Line | undefined {
  const program = CliDefaults.programName;
  if (result.inFlight !== undefined) {
    return `  next: wait until ${formatInstant(result.inFlight.until)}; then \`${program} status ${report.secret.name}\` shows whether it went on, and \`${program} repair ${report.secret.name}\` clears an AWSPENDING left behind (it refuses before then)`;
  }
  if (result.failure !== 'timeout' && result.failure !== 'cancelled') return undefined;
  const action = result.diagnosis?.action === undefined ? '' : ` (${result.diagnosis.action})`;
  return `  next: \`${program} repair ${report.secret.name}\` shows the safe fix${action}; add --apply to do it`;
}

function failedMessages(report: RotateReport, result: Failed): Line[] {
  const lines: Line[] = [
    [tone.bad(`error [${result.code}]: rotation of ${report.secret.name} did not complete: ${result.reason}`)],
    result.inFlight === undefined ? `  stuck in ${result.stuckIn}` : `  waiting in ${result.stuckIn}`,
    ...(result.diagnosis?.findings ?? []).map((finding) => `  - ${finding}`),
  ];
  if (result.problem !== undefined) lines.push(`  - ${result.problem}`);
  lines.push(...functionLogLines(result.functionLog), `  runbook: ${runbookLink(result.code)}`);
  const next = nextAfterFailure(report, result);
  if (next !== undefined) lines.push(next);
  return lines;
}

function eventDocuments(events: readonly RotationProgress[]) {
  return events.map((event) => ({ milestone: event.milestone, elapsedMs: event.elapsedMs, message: event.message }));
}

function outcomeDocument(result: RotateOutcome): Record<string, unknown> {
  switch (result.outcome) {
    case 'started':
      return { ok: true, outcome: 'started' };
    case 'promoted':
      return {
        ok: true,
        outcome: 'promoted',
        elapsedMs: result.elapsedMs,
        previousKeyExpiresAt: result.previousKeyExpiresAt ?? null,
        leftoverPendingLabel: result.leftoverPendingLabel,
        events: eventDocuments(result.events),
      };
    default:
      return {
        ok: false,
        outcome: 'failed',
        failure: result.failure,
        code: result.code,
        reason: result.reason,
        stuckIn: result.stuckIn,
        progressAt: isoOrNull(result.inFlight?.until),
        runbook: runbookLink(result.code),
        elapsedMs: result.elapsedMs,
        diagnosis: result.diagnosis ?? null,
        functionLog: functionLogDocument(result.functionLog),
        events: eventDocuments(result.events),
      };
  }
}

function oldKeyDocument(check: OldKeyCheck | undefined): Record<string, unknown> {
  if (check === undefined) return {};
  const oldKey = {
    state: check.state,
    checkedAt: isoOrNull(check.checkedAt),
    checks: check.checks,
    errorCode: check.errorCode ?? null,
  };
  if (check.state === 'rejected') return { oldKey };
  const code = ErrorCode.oldKeyStillAccepted;
  return { ok: false, oldKey, code, runbook: runbookLink(code) };
}

export function rotateView(report: RotateReport): ReportView {
  const { result, oldKey } = report;
  const { ok, outcome, ...rest } = outcomeDocument(result);
  const document = {
    ok,
    outcome,
    secret: report.secret,
    versionId: report.versionId,
    previousVersionId: report.previousVersionId ?? null,
    emergency: report.emergency,
    ...rest,
    ...(report.emergencyTags === undefined ? {} : { emergencyTags: report.emergencyTags }),
    ...oldKeyDocument(oldKey),
  };
  if (result.outcome === 'failed') {
    return { exitCode: ExitCode.failed, lines: [], messages: failedMessages(report, result), document };
  }
  if (result.outcome === 'promoted' && oldKey !== undefined && oldKey.state !== 'rejected') {
    const messages = oldKeyMessages(report, oldKey);
    return { exitCode: ExitCode.failed, lines: promotedLines(report, result), messages, document };
  }
  const lines: Line[] =
    result.outcome === 'promoted'
      ? promotedLines(report, result)
      : [
          `Rotation of ${report.secret.name} started: version ${report.versionId} is AWSPENDING.`,
          `Follow it with \`${CliDefaults.programName} status ${report.secret.name}\`, or rotate with --wait next time.`,
        ];
  return { exitCode: ExitCode.ok, lines, document };
}
