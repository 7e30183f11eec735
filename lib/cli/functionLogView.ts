import type { Line } from './createOutput.ts';
import { isErrorCode } from './errors.ts';
import type { FunctionLogReport, StepError } from './readFunctionLog.ts';
import { runbookLink } from './runbookLink.ts';

function describeStepError(error: StepError): string {
  const where = [error.step, error.time].filter((part) => part !== undefined).join(', ');
  const trace = error.clerkTraceId === undefined ? '' : ` (clerk_trace_id ${error.clerkTraceId})`;
  return `${where === '' ? '' : `(${where}) `}${error.errorCode === undefined ? '' : `[${error.errorCode}] `}${error.message}${trace}`;
}

/** What the rotation function recorded for the rotation, or where it is: lines for a failure or stall report. */
export function functionLogLines(report: FunctionLogReport, indent = '  '): Line[] {
  if (report.source === 'cloudwatch') {
    return [
      report.logGroup === undefined
        ? `${indent}the rotation function's errors: the secret names no rotation function`
        : `${indent}the rotation function's errors: CloudWatch Logs group ${report.logGroup} (a function of the ClerkMachineKeyRotator construct logs to the construct's log group), filter ${report.filterPattern}`,
    ];
  }
  if (report.problem !== undefined) return [`${indent}the rotation function's errors: ${report.problem}`];
  const latest = report.errors.at(-1);
  if (latest === undefined) {
    return [`${indent}the rotation function's log (${report.path}) records no error for this rotation`];
  }
  const count = report.recorded === 1 ? '' : ` (the latest of ${report.recorded})`;
  const lines: Line[] = [`${indent}the rotation function's error${count}: ${describeStepError(latest)}`];
  if (isErrorCode(latest.errorCode)) {
    lines.push(`${indent}  runbook: ${runbookLink(latest.errorCode)}`);
  }
  return lines;
}

/** The same for --json. */
export function functionLogDocument(report: FunctionLogReport): Record<string, unknown> {
  if (report.source === 'cloudwatch') {
    return { source: report.source, logGroup: report.logGroup ?? null, filterPattern: report.filterPattern };
  }
  return {
    source: report.source,
    path: report.path,
    recorded: report.recorded,
    problem: report.problem ?? null,
    errors: report.errors.map((error) => ({
      time: error.time ?? null,
      step: error.step ?? null,
      errorCode: error.errorCode ?? null,
      message: error.message,
      clerkTraceId: error.clerkTraceId ?? null,
      runbook: isErrorCode(error.errorCode) ? runbookLink(error.errorCode) : null,
    })),
  };
}
