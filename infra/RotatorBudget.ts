import { Annotations, Duration, Token } from 'aws-cdk-lib';
import type { CfnRotationSchedule, ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type BudgetMachine, computeRateBudget, type InstanceLimits } from '../lib/budget/computeRateBudget.ts';
import {
  type BudgetRemedies,
  describeInstanceProblem,
  describeRunProblem,
} from '../lib/budget/describeBudgetProblems.ts';
import { readRotationWindows } from '../lib/budget/readRotationWindows.ts';
import { staggerRotationRules } from '../lib/budget/staggerRotationRules.ts';
import { PACKAGE_NAME } from '../lib/constants.ts';
import type { VerificationSettings } from './resolveRotatorSettings.ts';
import { buildRotationRules } from './rotationRules.ts';
import { secretIdOf } from './secretArns.ts';

type RotationRules = CfnRotationSchedule.RotationRulesProperty;

/** What a rotator tells its budget; numbers may be tokens (then there is nothing to check). */
export interface RotatorBudgetProps {
  readonly rotationRules: RotationRules;
  readonly staggerWindows: boolean;
  readonly clerkRateLimit: number;
  readonly appsShareOfRateLimit: number;
  readonly verification: VerificationSettings | undefined;
}

interface MachineEntry {
  readonly name: string;
  readonly instance: string;
  readonly rules: RotationRules;
}

const REMEDIES: BudgetRemedies = {
  peak: 'widen rotationWindow, set staggerWindows, lengthen verification.interval or lower verification.clerkRateShare, or declare a larger clerkRateLimit if the instance has one',
  verification:
    'lengthen verification.interval, raise verification.clerkRateShare, or declare a larger clerkRateLimit if the instance has one',
};

const WARNING_ID = `${PACKAGE_NAME}:rateBudget`;

function isResolved(...values: unknown[]): boolean {
  return values.every((value) => value === undefined || !Token.isUnresolved(value));
}

/**
 * How the budget names a Clerk instance: its instance-key secret's ARN when CDK knows it, else its name, else its
 * construct path. Rotators that name the same secret share the instance.
 */
export function instanceOf(secret: ISecret): string {
  const id = secretIdOf(secret);
  if (!Token.isUnresolved(id)) return id;
  return Token.isUnresolved(secret.secretName) ? secret.node.path : secret.secretName;
}

/**
 * A rotator's share of its Clerk instances' rate limits, checked at synthesis (docs/decisions/014-rate-budget.md):
 * its machines' rotation windows and its verification, together with those of every other rotator in the app that
 * uses the same instance-key secret. Over budget, or a verification run longer than its interval, fails synthesis;
 * 80 % of the budget or more is a warning. Also chooses each machine's staggered window when asked.
 */
export class RotatorBudget extends Construct {
  private readonly props: RotatorBudgetProps;
  private readonly entries: MachineEntry[] = [];
  private readonly unstaggered = new Set<string>();

  constructor(scope: Construct, id: string, props: RotatorBudgetProps) {
    super(scope, id);
    this.props = props;
    this.node.addValidation({ validate: () => this.validate() });
  }

  /** How messages name this rotator's verification: the rotator's path. */
  private get verifierName(): string {
    return (this.node.scope ?? this).node.path;
  }

  /** Records a machine and returns its rotation rules: the rotator's, or staggered by `staggerKey`. */
  addMachine(name: string, instance: string, staggerKey: string): RotationRules {
    const rules = this.rulesFor(staggerKey);
    this.entries.push({ name, instance, rules });
    return rules;
  }

  private rulesFor(staggerKey: string): RotationRules {
    const base = this.props.rotationRules;
    if (!this.props.staggerWindows) return base;
    if (!isResolved(base.scheduleExpression, base.duration, staggerKey)) {
      this.unstaggered.add('its schedule or a machine id is a token');
      return base;
    }
    const staggered = staggerRotationRules(base, staggerKey);
    if (!staggered.staggered) {
      this.unstaggered.add(staggered.reason);
      return base;
    }
    // The same checks as the rotator's own schedule props: a staggered window never runs into the next one.
    return buildRotationRules({
      scheduleExpression: staggered.rules.scheduleExpression,
      rotationWindow: Duration.hours(Number.parseInt(staggered.rules.duration ?? '', 10)),
    });
  }

  /** This rotator's machines for the budget; those whose schedule cannot be read at synthesis are counted apart. */
  private budgetMachines(): { machines: BudgetMachine[]; unknown: number } {
    const verifier = this.props.verification === undefined ? undefined : this.verifierName;
    const machines: BudgetMachine[] = [];
    let unknown = 0;
    for (const entry of this.entries) {
      const read = isResolved(entry.rules.scheduleExpression, entry.rules.duration)
        ? readRotationWindows(entry.rules)
        : undefined;
      if (read?.ok) machines.push({ name: entry.name, instance: entry.instance, windows: read.windows, verifier });
      else unknown += 1;
    }
    return { machines, unknown };
  }

  private limits(): InstanceLimits | undefined {
    const { clerkRateLimit, appsShareOfRateLimit } = this.props;
    return isResolved(clerkRateLimit, appsShareOfRateLimit)
      ? { ratePer10Seconds: clerkRateLimit, appsShare: appsShareOfRateLimit }
      : undefined;
  }

  private validate(): string[] {
    for (const reason of this.unstaggered) {
      Annotations.of(this).addWarningV2(WARNING_ID, `staggerWindows left the machines' windows as they are: ${reason}`);
    }
    // Every rotator of the app, so that the machines of one Clerk instance are counted together.
    const budgets = this.node.root.node
      .findAll()
      .filter((node): node is RotatorBudget => node instanceof RotatorBudget);
    const verification = this.props.verification;
    const verifiers = new Map(
      budgets.flatMap((budget) => {
        const settings = budget.props.verification;
        return settings !== undefined && isResolved(settings.intervalSeconds, settings.clerkRateShare)
          ? [
              [
                budget.verifierName,
                { intervalSeconds: settings.intervalSeconds, clerkRateShare: settings.clerkRateShare },
              ] as const,
            ]
          : [];
      }),
    );
    const parts = budgets.map((budget) => ({ budget, ...budget.budgetMachines(), limits: budget.limits() }));
    const own = parts.find((part) => part.budget === this);
    if (own === undefined || own.limits === undefined) return [];
    if (own.unknown > 0) {
      Annotations.of(this).addWarningV2(
        WARNING_ID,
        `The Clerk rate budget leaves out ${own.unknown} machines whose schedule is not known at synthesis (a token)`,
      );
    }
    const limitsOf = (instance: string): InstanceLimits => {
      // Rotators that share an instance may declare it differently: the budget takes the most careful reading.
      const declared = parts.filter(
        (part) => part.limits !== undefined && part.machines.some((m) => m.instance === instance),
      );
      return {
        ratePer10Seconds: Math.min(
          ...declared.map((part) => part.limits?.ratePer10Seconds ?? Number.POSITIVE_INFINITY),
        ),
        appsShare: Math.max(...declared.map((part) => part.limits?.appsShare ?? 0)),
      };
    };
    const budget = computeRateBudget({
      machines: parts.filter((part) => part.limits !== undefined).flatMap((part) => part.machines),
      limitsOf,
      verifiers,
    });
    const errors: string[] = [];
    for (const instance of budget.instances) {
      // Reported once, by the first rotator (in the tree) with machines on the instance.
      const reporter = parts.find((part) => part.machines.some((m) => m.instance === instance.instance));
      const line = reporter?.budget === this ? describeInstanceProblem(instance, REMEDIES) : undefined;
      if (line === undefined) continue;
      if (instance.status === 'over') errors.push(line);
      else Annotations.of(this).addWarningV2(WARNING_ID, line);
    }
    const run = budget.verificationRuns.find((candidate) => candidate.verifier === this.verifierName);
    const runProblem = verification === undefined || run === undefined ? undefined : describeRunProblem(run, REMEDIES);
    if (runProblem !== undefined) errors.push(runProblem);
    return errors;
  }
}
