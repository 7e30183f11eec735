import type { InstanceBudget, RateBudget, VerificationRun } from './computeRateBudget.ts';

/** How the caller's user fixes each problem, in their terms (the construct's props, the CLI's options). */
export interface BudgetRemedies {
  /** For a peak over (or near) the budget. */
  readonly peak: string;
  /** For a verification run longer than its interval. */
  readonly verification: string;
}

export interface BudgetProblems {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** A number for a message: whole when it is, else two decimals below 10 and one above (trailing zeros dropped). */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(value < 10 ? 2 : 1)));
}

/** `1 machine`, `2 machines`. */
export function formatMachines(count: number): string {
  return `${count} machine${count === 1 ? '' : 's'}`;
}

export function formatShare(share: number): string {
  return `${formatCount(Math.round(share * 1000) / 10)} %`;
}

function peakParts(instance: InstanceBudget): string {
  const hour = `${String(instance.busiestHour).padStart(2, '0')}:00 UTC`;
  return `${formatCount(instance.predictedPeakPer10Seconds)} Clerk calls per 10 s (rotations ${formatCount(instance.rotationPeakPer10Seconds)}, busiest around ${hour}; verification ${formatCount(instance.verificationPer10Seconds)})`;
}

function budgetParts(instance: InstanceBudget): string {
  return `budget of ${formatCount(instance.budget)} (the declared limit of ${formatCount(instance.rateLimit)} per 10 s less ${formatShare(instance.appsShare)} kept for the apps)`;
}

/** One line: the instance, the predicted peak and its parts, the budget and where it comes from, the fix. */
export function describeInstanceProblem(instance: InstanceBudget, remedies: BudgetRemedies): string | undefined {
  if (instance.status === 'ok') return undefined;
  const prefix = `Clerk instance ${instance.instance} (${formatMachines(instance.machines)}): a predicted peak of ${peakParts(instance)}`;
  if (instance.status === 'over') return `${prefix} is over the rotator's ${budgetParts(instance)}; ${remedies.peak}`;
  return `${prefix} is ${formatShare(instance.usage)} of the rotator's ${budgetParts(instance)}; ${remedies.peak}`;
}

/** One line: the verification, its machines, how long a run takes at which rates, its interval, the fix. */
export function describeRunProblem(run: VerificationRun, remedies: BudgetRemedies): string | undefined {
  if (run.fits) return undefined;
  const rates = run.perInstance
    .map((part) => `${part.machines} on ${part.instance} at ${formatCount(part.callsPerSecond)} calls per s`)
    .join(', ');
  return `The verification of ${run.verifier} needs ${formatCount(Math.ceil(run.runSeconds))} s per run for ${formatMachines(run.machines)} (${rates}: the declared limit × its share / 10 s), longer than its interval of ${formatCount(run.intervalSeconds)} s; ${remedies.verification}`;
}

/** Errors (over budget, a verification that cannot finish in its interval) and warnings (near the budget). */
export function describeBudgetProblems(budget: RateBudget, remedies: BudgetRemedies): BudgetProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const instance of budget.instances) {
    const line = describeInstanceProblem(instance, remedies);
    if (line !== undefined) (instance.status === 'over' ? errors : warnings).push(line);
  }
  for (const run of budget.verificationRuns) {
    const line = describeRunProblem(run, remedies);
    if (line !== undefined) errors.push(line);
  }
  return { errors, warnings };
}
