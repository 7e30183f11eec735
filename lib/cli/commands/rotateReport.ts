import { CliDefaults } from '../CliDefaults.ts';
import { type Line, type ReportView, tone } from '../createOutput.ts';
import type { PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { ExitCode } from '../ExitCode.ts';
import type { ReasonCode } from '../errors.ts';
import type { FollowFailure, RotationProgress } from '../followRotation.ts';
import { formatInstant, formatRelative } from '../formatTime.ts';
import { functionLogDocument, functionLogLines } from '../functionLogView.ts';
import type { FunctionLogReport } from '../readFunctionLog.ts';
import { runbookLink } from '../runbookLink.ts';
import type { EmergencyTagReport } from '../withEmergencyTags.ts';

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
      /** Where the rotation stopped, in words. */
      readonly stuckIn: string;
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
}

type Failed = Extract<RotateOutcome, { outcome: 'failed' }>;
type Promoted = Extract<RotateOutcome, { outcome: 'promoted' }>;

function promotedLines(report: RotateReport, result: Promoted): Line[] {
  const lines: Line[] = [
    [tone.ok(`Rotated in ${(result.elapsedMs / 1000).toFixed(1)} s: AWSCURRENT is version ${report.versionId}.`)],
  ];
  if (result.previousKeyExpiresAt !== undefined) {
    const expires = Date.parse(result.previousKeyExpiresAt);
    lines.push(
      expires > result.now
        ? `The previous key keeps working at Clerk until ${formatInstant(expires)} (${formatRelative(expires, result.now)}).`
        : `The previous key stopped working at Clerk at ${formatInstant(expires)}.`,
    );
  }
  if (result.leftoverPendingLabel) {
    lines.push([
      tone.warn(
        `AWSPENDING is still on the new version after ${CliDefaults.pendingCleanupGraceSeconds} s; the next rotation or \`repair --apply\` removes it.`,
      ),
    ]);
  }
  return lines;
}

function failedMessages(report: RotateReport, result: Failed): Line[] {
  const lines: Line[] = [
    [tone.bad(`error [${result.code}]: rotation of ${report.secret.name} did not complete: ${result.reason}`)],
    `  stuck in ${result.stuckIn}`,
    ...(result.diagnosis?.findings ?? []).map((finding) => `  - ${finding}`),
  ];
  if (result.problem !== undefined) lines.push(`  - ${result.problem}`);
  lines.push(...functionLogLines(result.functionLog), `  runbook: ${runbookLink(result.code)}`);
  if (result.failure === 'timeout' || result.failure === 'cancelled') {
    const action = result.diagnosis?.action === undefined ? '' : ` (${result.diagnosis.action})`;
    lines.push(
      `  next: \`${CliDefaults.programName} repair ${report.secret.name}\` shows the safe fix${action}; add --apply to do it`,
    );
  }
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
        runbook: runbookLink(result.code),
        elapsedMs: result.elapsedMs,
        diagnosis: result.diagnosis ?? null,
        functionLog: functionLogDocument(result.functionLog),
        events: eventDocuments(result.events),
      };
  }
}

export function rotateView(report: RotateReport): ReportView {
  const { result } = report;
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
  };
  if (result.outcome === 'failed') {
    return { exitCode: ExitCode.failed, lines: [], messages: failedMessages(report, result), document };
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
