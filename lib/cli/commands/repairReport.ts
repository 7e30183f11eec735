import { type Line, type ReportView, tone } from '../createOutput.ts';
import type { PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { ExitCode } from '../ExitCode.ts';
import { formatWhen } from '../formatTime.ts';
import { functionLogDocument, functionLogLines } from '../functionLogView.ts';
import type { FunctionLogReport } from '../readFunctionLog.ts';
import { runbookLink } from '../runbookLink.ts';

/** One UpdateSecretVersionStage call of the plan. */
export interface StageChange {
  readonly description: string;
  readonly stage: string;
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

export type RepairState = 'clean' | 'leftover-pending-label' | 'stuck-pending';

/** What `repair` found, what it would do (or did), and what comes next. */
export interface RepairReport {
  readonly secret: { readonly name: string; readonly arn: string };
  readonly state: RepairState;
  readonly currentVersionId: string | undefined;
  /** When the pending version was created (stuck-pending). */
  readonly pendingSince: number | undefined;
  /** Undefined unless stuck-pending. */
  readonly diagnosis: PendingDiagnosis | undefined;
  /** For stuck-pending: what the rotation function recorded for that version, or where it is. */
  readonly functionLog: FunctionLogReport | undefined;
  readonly plan: readonly StageChange[];
  /** --apply was given. */
  readonly apply: boolean;
  /** The changes made, in order (all of the plan, unless a change failed). */
  readonly done: readonly StageChange[];
  /** What the operator should do after the repair, if anything ("then …"). */
  readonly next: string | undefined;
  readonly now: number;
}

export function awsCliEquivalent(arn: string, change: StageChange): string {
  return [
    `aws secretsmanager update-secret-version-stage --secret-id ${arn} --version-stage ${change.stage}`,
    change.moveToVersionId === undefined ? '' : ` --move-to-version-id ${change.moveToVersionId}`,
    change.removeFromVersionId === undefined ? '' : ` --remove-from-version-id ${change.removeFromVersionId}`,
  ].join('');
}

function diagnosisLines(report: RepairReport): Line[] {
  const { diagnosis } = report;
  if (diagnosis === undefined) {
    return [
      `  AWSPENDING is left on the current version ${report.currentVersionId} (finishSecret stopped between its two calls)`,
    ];
  }
  const since = report.pendingSince === undefined ? 'an unknown time' : formatWhen(report.pendingSince, report.now);
  return [
    `  AWSPENDING on version ${diagnosis.versionId}, not AWSCURRENT (${report.currentVersionId ?? 'none'}), since ${since}`,
    ...diagnosis.findings.map((finding) => `  - ${finding}`),
    `  reason [${diagnosis.code}]: ${diagnosis.reason}`,
    `  runbook: ${runbookLink(diagnosis.code)}`,
    ...(report.functionLog === undefined ? [] : functionLogLines(report.functionLog)),
  ];
}

function repairLines(report: RepairReport): Line[] {
  if (report.state === 'clean') return [`Nothing to repair: ${report.secret.name} has no AWSPENDING label.`];
  const lines: Line[] = [`Diagnosis of ${report.secret.name}:`, ...diagnosisLines(report)];
  lines.push(report.apply ? 'Repair:' : 'Plan (dry run: nothing is changed; add --apply to do it):');
  report.plan.forEach((change, index) => {
    lines.push(`  ${index + 1}. ${change.description}`, [
      tone.dim(`     ${awsCliEquivalent(report.secret.arn, change)}`),
    ]);
  });
  for (const change of report.done) lines.push([tone.ok(`  done: ${change.description}`)]);
  const finished = report.done.length === report.plan.length;
  if (report.next !== undefined && (!report.apply || finished)) {
    lines.push(`${report.apply ? 'Next' : 'After --apply'}: ${report.next.replace(/^then /, '')}`);
  }
  return lines;
}

export function repairView(report: RepairReport): ReportView {
  const { diagnosis } = report;
  const document =
    report.state === 'clean'
      ? { ok: true, secret: report.secret, state: report.state, plan: [], applied: false }
      : {
          ok: true,
          secret: report.secret,
          state: report.state,
          currentVersionId: report.currentVersionId ?? null,
          diagnosis: diagnosis === undefined ? null : { ...diagnosis, runbook: runbookLink(diagnosis.code) },
          functionLog: report.functionLog === undefined ? null : functionLogDocument(report.functionLog),
          plan: report.plan.map((change) => ({ ...change, awsCli: awsCliEquivalent(report.secret.arn, change) })),
          applied: report.apply,
          next: report.next ?? null,
        };
  return { exitCode: ExitCode.ok, lines: repairLines(report), document };
}
