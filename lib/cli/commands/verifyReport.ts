import type { SecretVerdict } from '../../verification/SecretVerdict.ts';
import { type Line, type ReportView, type Segment, tone } from '../createOutput.ts';
import { ExitCode } from '../ExitCode.ts';
import type { ReasonCode } from '../errors.ts';
import type { InstanceKeySecret } from '../resolveInstanceKey.ts';
import { runbookLink } from '../runbookLink.ts';
import { isHealthy, outcomeSegment, verdictDetailLines, verdictDocument } from './verdictView.ts';

export type CheckStatus = 'pass' | 'fail' | 'info' | 'skip';

/** One question to Clerk about a key; `fail` makes the verification fail. */
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly code?: ReasonCode | undefined;
}

/** One secret: the scheduled verification's verdict, and the operator's checks of each key against Clerk. */
export interface VerifyReport {
  readonly secret: { readonly name: string; readonly arn: string };
  readonly machineId: string | undefined;
  readonly instanceKeySecret: InstanceKeySecret;
  readonly verdict: SecretVerdict;
  /** Empty when the secret could not be verified as it stands (an invalid verdict). */
  readonly checks: readonly Check[];
  readonly healRequested: boolean;
}

/** Every managed secret of a rotation function (`--all`): the verdicts, in name order. */
export interface VerifyAllReport {
  readonly functionArn: string;
  readonly verdicts: readonly SecretVerdict[];
  readonly healRequested: boolean;
}

const MARKS: Record<CheckStatus, Segment> = {
  pass: tone.ok('ok  '),
  fail: tone.bad('FAIL'),
  info: tone.warn('note'),
  skip: tone.dim('skip'),
};

const checkDocument = (check: Check) => ({
  ...check,
  code: check.code ?? null,
  runbook: check.code === undefined ? null : runbookLink(check.code),
});

/** The report's last line says whether everything verified; exit 1 when not. */
function concluded(ok: boolean, lines: readonly Line[], document: Record<string, unknown>): ReportView {
  return {
    exitCode: ok ? ExitCode.ok : ExitCode.failed,
    lines: [...lines, [ok ? tone.ok('verified') : tone.bad('verification failed')]],
    document: { ok, ...document },
  };
}

export function verifyView(report: VerifyReport): ReportView {
  const ok = isHealthy(report.verdict) && report.checks.every((check) => check.status !== 'fail');
  const machine = report.machineId === undefined ? '' : ` (${report.machineId})`;
  const lines: Line[] = [`Verifying ${report.secret.name}${machine} against Clerk`];
  for (const check of report.checks) {
    lines.push(['  ', MARKS[check.status], `  ${check.detail}`]);
    if (check.code !== undefined) lines.push(`        runbook: ${runbookLink(check.code)}`);
  }
  lines.push(['verdict: ', outcomeSegment(report.verdict.outcome)], ...verdictDetailLines(report.verdict, '  '));
  return concluded(ok, lines, {
    secret: report.secret,
    machineId: report.machineId ?? null,
    instanceKeySecret: report.instanceKeySecret,
    checks: report.checks.map(checkDocument),
    verdict: verdictDocument(report.verdict),
    healRequested: report.healRequested,
  });
}

/** The longest outcome, rotation-in-progress: the width of the list's first column. */
const OUTCOME_WIDTH = 20;

function countOutcomes(verdicts: readonly SecretVerdict[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const verdict of verdicts) counts[verdict.outcome] = (counts[verdict.outcome] ?? 0) + 1;
  return counts;
}

export function verifyAllView(report: VerifyAllReport): ReportView {
  const ok = report.verdicts.every(isHealthy);
  const counts = countOutcomes(report.verdicts);
  const lines: Line[] = [`Verifying the machine secrets rotated by ${report.functionArn} against Clerk`];
  for (const verdict of report.verdicts) {
    const machine = verdict.machineId === undefined ? '' : ` (${verdict.machineId})`;
    lines.push(['  ', outcomeSegment(verdict.outcome, OUTCOME_WIDTH), `  ${verdict.name}${machine}`]);
    if (!isHealthy(verdict)) lines.push(...verdictDetailLines(verdict, '    '));
  }
  const summary = Object.entries(counts).map(([outcome, count]) => `${count} ${outcome}`);
  const total = `${report.verdicts.length} secret${report.verdicts.length === 1 ? '' : 's'}`;
  lines.push(summary.length > 0 ? `${total}: ${summary.join(', ')}` : total);
  return concluded(ok, lines, {
    functionArn: report.functionArn,
    healRequested: report.healRequested,
    counts,
    secrets: report.verdicts.map(verdictDocument),
  });
}
