import { type Line, type ReportView, type Segment, tone } from '../createOutput.ts';
import { ExitCode } from '../ExitCode.ts';
import type { ReasonCode } from '../errors.ts';
import type { InstanceKeySecret } from '../resolveInstanceKey.ts';
import { runbookLink } from '../runbookLink.ts';

export type CheckStatus = 'pass' | 'fail' | 'info' | 'skip';

/** One check against Clerk; `fail` makes the verification fail. */
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly code?: ReasonCode;
}

/** The keys of one secret checked against Clerk. */
export interface VerifyReport {
  readonly secret: { readonly name: string; readonly arn: string };
  readonly machineId: string;
  readonly instanceKeySecret: InstanceKeySecret;
  readonly checks: readonly Check[];
}

const MARKS: Record<CheckStatus, Segment> = {
  pass: tone.ok('ok  '),
  fail: tone.bad('FAIL'),
  info: tone.warn('note'),
  skip: tone.dim('skip'),
};

export function verifyView(report: VerifyReport): ReportView {
  const ok = report.checks.every((check) => check.status !== 'fail');
  const lines: Line[] = [`Verifying ${report.secret.name} (${report.machineId}) against Clerk`];
  for (const check of report.checks) {
    lines.push(['  ', MARKS[check.status], `  ${check.detail}`]);
    if (check.code !== undefined) lines.push(`        runbook: ${runbookLink(check.code)}`);
  }
  lines.push([ok ? tone.ok('verified') : tone.bad('verification failed')]);
  return {
    exitCode: ok ? ExitCode.ok : ExitCode.failed,
    lines,
    document: {
      ok,
      secret: report.secret,
      machineId: report.machineId,
      instanceKeySecret: report.instanceKeySecret,
      checks: report.checks.map((check) => ({
        ...check,
        code: check.code ?? null,
        runbook: check.code === undefined ? null : runbookLink(check.code),
      })),
    },
  };
}
