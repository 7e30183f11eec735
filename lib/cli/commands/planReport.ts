import type { InstanceBudget } from '../../budget/computeRateBudget.ts';
import { formatCount, formatMachines, formatShare } from '../../budget/describeBudgetProblems.ts';
import { type Line, type ReportView, tone } from '../createOutput.ts';
import { ExitCode } from '../ExitCode.ts';
import type { PlannedSecret, PlanReport } from './planBudget.ts';
import { chartLines } from './planChart.ts';

const round = (value: number) => Math.round(value * 100) / 100;

function statusSegment(instance: InstanceBudget): Line[number] {
  const label = `${instance.status === 'over' ? 'OVER' : instance.status === 'near' ? 'NEAR' : 'ok'} ${formatShare(instance.usage)} of the budget`;
  return instance.status === 'over' ? tone.bad(label) : instance.status === 'near' ? tone.warn(label) : tone.ok(label);
}

function secretLine(secret: PlannedSecret): Line {
  const unreadable =
    secret.unreadable === undefined
      ? ''
      : ` (not understood: ${secret.unreadable}; counted as a 1-hour window at 00:00, daily)`;
  return `    ${secret.name}  ${secret.machineId || 'no machine id'}  ${secret.schedule}${unreadable}  function ${secret.rotationFunction ?? 'none'}`;
}

function instanceLines(instance: InstanceBudget, report: PlanReport): Line[] {
  const row = (label: string, value: string): Line => `  ${label.padEnd(16)}${value}`;
  const busiest = `${String(instance.busiestHour).padStart(2, '0')}:00 UTC`;
  const lines: Line[] = [
    '',
    [
      tone.bold(instance.instance),
      `: ${formatMachines(instance.machines)}, declared limit ${formatCount(instance.rateLimit)} per 10 s, budget ${formatCount(round(instance.budget))}  `,
      statusSegment(instance),
    ],
    row(
      'predicted peak',
      `${formatCount(instance.predictedPeakPer10Seconds)} per 10 s: rotations ${instance.rotationPeakPer10Seconds} (a usual month: ${instance.typicalRotationPeakPer10Seconds}), verification ${formatCount(round(instance.verificationPer10Seconds))}`,
    ),
    row('average', `${formatCount(round(instance.expectedPer10Seconds))} per 10 s in the busiest hour, ${busiest}`),
  ];
  for (const share of instance.verifications) {
    const run = report.budget.verificationRuns.find((candidate) => candidate.verifier === share.verifier);
    lines.push(
      row(
        'verification',
        `${share.verifier}: ${formatMachines(share.machines)}, ${formatCount(Math.ceil(share.runSeconds))} s of a run at ${formatCount(round(share.callsPer10Seconds))} per 10 s, every ${formatCount(run?.intervalSeconds ?? 0)} s`,
      ),
    );
  }
  lines.push(...chartLines(instance), '  machines');
  for (const secret of report.secrets.filter((candidate) => candidate.instance === instance.instance)) {
    lines.push(secretLine(secret));
  }
  return lines;
}

function instanceDocument(instance: InstanceBudget, report: PlanReport) {
  return {
    instance: instance.instance,
    machines: instance.machines,
    rateLimitPer10Seconds: instance.rateLimit,
    appsShare: instance.appsShare,
    budgetPer10Seconds: round(instance.budget),
    predictedPeakPer10Seconds: instance.predictedPeakPer10Seconds,
    rotationPeakPer10Seconds: instance.rotationPeakPer10Seconds,
    typicalRotationPeakPer10Seconds: instance.typicalRotationPeakPer10Seconds,
    verificationPer10Seconds: round(instance.verificationPer10Seconds),
    expectedPer10Seconds: round(instance.expectedPer10Seconds),
    busiestHour: instance.busiestHour,
    usage: round(instance.usage),
    status: instance.status,
    verifications: instance.verifications.map((share) => ({ ...share, runSeconds: round(share.runSeconds) })),
    hours: instance.hours.map((hour) => ({
      hour: hour.hour,
      windowsOpen: hour.windowsOpen,
      expectedCalls: round(hour.expectedCalls),
      expectedPer10Seconds: round(hour.expectedPer10Seconds),
      peakPer10Seconds: hour.peakPer10Seconds,
    })),
    secrets: report.secrets
      .filter((secret) => secret.instance === instance.instance)
      .map(({ name, machineId, rotationEnabled, rotationFunction, schedule, unreadable }) => ({
        name,
        machineId,
        rotationEnabled,
        rotationFunction: rotationFunction ?? null,
        schedule,
        unreadable: unreadable ?? null,
      })),
  };
}

export function planView(report: PlanReport): ReportView {
  const { budget, problems } = report;
  const header: Line = `Clerk rate budget of ${report.secrets.length} managed secrets on ${budget.instances.length} Clerk instances: the busiest 10 s of ${budget.horizonDays} days (exceeded with probability ${formatShare(budget.exceedance)}), ${formatShare(report.options.appsShare)} of each limit kept for the apps`;
  const lines: Line[] = [header, ...budget.instances.flatMap((instance) => instanceLines(instance, report))];
  if (budget.instances.length === 0) lines.push('', 'No secret carries the clerk-rotator:machine-id tag here.');
  return {
    exitCode: problems.errors.length > 0 ? ExitCode.failed : ExitCode.ok,
    lines,
    messages: [
      ...problems.errors.map((line): Line => [tone.bad('error: '), line]),
      ...problems.warnings.map((line): Line => [tone.warn('warning: '), line]),
    ],
    document: {
      horizonDays: budget.horizonDays,
      exceedance: budget.exceedance,
      warnAt: budget.warnAt,
      options: report.options,
      instances: budget.instances.map((instance) => instanceDocument(instance, report)),
      verificationRuns: budget.verificationRuns.map((run) => ({ ...run, runSeconds: round(run.runSeconds) })),
      errors: problems.errors,
      warnings: problems.warnings,
    },
  };
}
