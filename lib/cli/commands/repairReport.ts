import { TagKey } from '../../constants.ts';
import { ErrorCode } from '../../errors.ts';
import { describeBindingProof } from '../confirmMachineBinding.ts';
import { type Line, type ReportView, tone } from '../createOutput.ts';
import type { PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { ExitCode } from '../ExitCode.ts';
import { formatWhen } from '../formatTime.ts';
import { functionLogDocument, functionLogLines } from '../functionLogView.ts';
import type { FunctionLogReport } from '../readFunctionLog.ts';
import { runbookLink } from '../runbookLink.ts';
import type { MissingBinding } from './repairBinding.ts';

/** One UpdateSecretVersionStage call of the plan. */
export interface StageChange {
  readonly kind: 'stage';
  readonly description: string;
  readonly stage: string;
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

/** One TagResource call of the plan (the binding tag). */
export interface TagChange {
  readonly kind: 'tag';
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

export type RepairChange = StageChange | TagChange;

export type RepairState = 'clean' | 'unbound' | 'leftover-pending-label' | 'stuck-pending';

/** What `repair` found, what it would do (or did), and what comes next. */
export interface RepairReport {
  readonly secret: { readonly name: string; readonly arn: string };
  readonly state: RepairState;
  /** No binding tag, and Clerk confirmed the machine: the plan adds the tag first. */
  readonly binding: MissingBinding | undefined;
  readonly currentVersionId: string | undefined;
  /** When the pending version was created (stuck-pending). */
  readonly pendingSince: number | undefined;
  /** Undefined unless stuck-pending. */
  readonly diagnosis: PendingDiagnosis | undefined;
  /** For stuck-pending: what the rotation function recorded for that version, or where it is. */
  readonly functionLog: FunctionLogReport | undefined;
  readonly plan: readonly RepairChange[];
  /** --apply was given. */
  readonly apply: boolean;
  /** The changes made, in order (all of the plan, unless a change failed). */
  readonly done: readonly RepairChange[];
  /** What the operator should do after the repair, if anything ("then …"). */
  readonly next: string | undefined;
  readonly now: number;
}

export function awsCliEquivalent(arn: string, change: RepairChange): string {
  if (change.kind === 'tag') {
    const tags = Object.entries(change.tags).map(([key, value]) => `Key=${key},Value=${value}`);
    return `aws secretsmanager tag-resource --secret-id ${arn} --tags ${tags.join(' ')}`;
  }
  return [
    `aws secretsmanager update-secret-version-stage --secret-id ${arn} --version-stage ${change.stage}`,
    change.moveToVersionId === undefined ? '' : ` --move-to-version-id ${change.moveToVersionId}`,
    change.removeFromVersionId === undefined ? '' : ` --remove-from-version-id ${change.removeFromVersionId}`,
  ].join('');
}

function bindingLines(binding: MissingBinding | undefined): Line[] {
  if (binding === undefined) return [];
  const code = ErrorCode.machineBindingInvalid;
  return [
    `  no ${TagKey.machineId} tag: the rotation function refuses the secret (${code}) until it is bound to ${binding.machineId}`,
    `  - ${describeBindingProof(binding.proof)}`,
    `  runbook: ${runbookLink(code)}`,
  ];
}

function pendingLines(report: RepairReport): Line[] {
  const { diagnosis } = report;
  if (report.state === 'unbound') return [];
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
  const lines: Line[] = [
    `Diagnosis of ${report.secret.name}:`,
    ...bindingLines(report.binding),
    ...pendingLines(report),
  ];
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
          binding: report.binding ?? null,
          currentVersionId: report.currentVersionId ?? null,
          diagnosis: diagnosis === undefined ? null : { ...diagnosis, runbook: runbookLink(diagnosis.code) },
          functionLog: report.functionLog === undefined ? null : functionLogDocument(report.functionLog),
          plan: report.plan.map((change) => ({ ...change, awsCli: awsCliEquivalent(report.secret.arn, change) })),
          applied: report.apply,
          next: report.next ?? null,
        };
  return { exitCode: ExitCode.ok, lines: repairLines(report), document };
}
