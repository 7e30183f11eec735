import type { BudgetMachine, RateBudget } from '../../budget/computeRateBudget.ts';
import { computeRateBudget } from '../../budget/computeRateBudget.ts';
import { type BudgetProblems, describeBudgetProblems } from '../../budget/describeBudgetProblems.ts';
import { type RotationWindows, readRotationWindows } from '../../budget/readRotationWindows.ts';
import { TagKey } from '../../constants.ts';
import type { SecretDescription, SecretPage } from '../../core/SecretStore.ts';

/** A managed secret as `plan` needs it: its ListSecrets entry, never a value. */
type ManagedSecret = SecretDescription;
/** One page of managed secrets. */
type ManagedSecretPage = (nextToken: string | undefined) => Promise<SecretPage>;

/** What the account cannot say: the declared limits, the apps' share, the verification's settings. */
export interface PlanOptions {
  readonly rateLimit: number;
  /** Declared limits of particular instances (instance-key secret id → requests per 10 s). */
  readonly instanceLimits: Readonly<Record<string, number>>;
  readonly appsShare: number;
  readonly verification: boolean;
  readonly verificationInterval: number;
  readonly verificationShare: number;
  /** The instance of secrets without a `clerk-rotator:instance-key-secret-id` tag. */
  readonly defaultInstance: string | undefined;
}

/** One managed secret and how the budget reads it. */
export interface PlannedSecret {
  readonly name: string;
  readonly machineId: string;
  readonly instance: string;
  readonly rotationEnabled: boolean;
  /** The rotation function's name: each rotator's verification checks its function's secrets. */
  readonly rotationFunction: string | undefined;
  readonly schedule: string;
  readonly windows: RotationWindows | undefined;
  /** Why the schedule could not be read; it is then counted as a one-hour window at midnight, every day. */
  readonly unreadable: string | undefined;
}

export interface PlanReport {
  readonly secrets: readonly PlannedSecret[];
  readonly budget: RateBudget;
  readonly problems: BudgetProblems;
  readonly options: PlanOptions;
}

export const DEFAULT_INSTANCE_LABEL = "(each function's default instance key)";

/** The careful reading of a schedule that cannot be read: every day, a one-hour window that opens with the others. */
const UNREADABLE_WINDOWS: RotationWindows = { openingHours: [0], windowHours: 1, cadenceDays: 1 };

const REMEDIES = {
  peak: 'widen the rotation windows (RotationRules.Duration), stagger their openings (cron() hours, or the construct’s staggerWindows), verify less often or with a smaller share, or, if the instance allows more, declare a larger limit (--rate-limit, --instance-limit)',
  verification:
    'lengthen the verification interval, raise its share of the limit, or, if the instance allows more, declare a larger limit (--rate-limit, --instance-limit)',
};

function functionName(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const parts = arn.split(':');
  return parts[6] ?? arn;
}

function describeSchedule(secret: ManagedSecret): string {
  const rules = secret.rotationRules;
  if (!secret.rotationEnabled) return 'rotation off';
  if (rules === undefined) return 'no schedule';
  const schedule = rules.scheduleExpression ?? `${rules.automaticallyAfterDays} days`;
  return rules.duration === undefined ? schedule : `${schedule}, window ${rules.duration}`;
}

function planSecret(secret: ManagedSecret, options: PlanOptions): PlannedSecret {
  const read = secret.rotationEnabled ? readRotationWindows(secret.rotationRules ?? {}) : undefined;
  return {
    name: secret.name,
    machineId: secret.tags[TagKey.machineId] ?? '',
    instance: secret.tags[TagKey.instanceKeySecretId] ?? options.defaultInstance ?? DEFAULT_INSTANCE_LABEL,
    rotationEnabled: secret.rotationEnabled,
    rotationFunction: functionName(secret.rotationLambdaArn),
    schedule: describeSchedule(secret),
    windows: read === undefined ? undefined : read.ok ? read.windows : UNREADABLE_WINDOWS,
    unreadable: read !== undefined && !read.ok ? read.reason : undefined,
  };
}

/** Every managed secret, page after page, in the order ListSecrets gives them. */
async function readAll(listPage: ManagedSecretPage): Promise<ManagedSecret[]> {
  const secrets: ManagedSecret[] = [];
  let token: string | undefined;
  do {
    const page = await listPage(token);
    secrets.push(...page.secrets);
    token = page.nextToken;
  } while (token !== undefined);
  return secrets;
}

/** Reads the account's managed secrets once and computes each instance's budget. */
export async function planOf(listPage: ManagedSecretPage, options: PlanOptions): Promise<PlanReport> {
  const secrets = (await readAll(listPage)).map((secret) => planSecret(secret, options));
  const machines: BudgetMachine[] = secrets.map((secret) => ({
    name: secret.name,
    instance: secret.instance,
    windows: secret.windows,
    verifier: options.verification ? secret.rotationFunction : undefined,
  }));
  const verifierSettings = { intervalSeconds: options.verificationInterval, clerkRateShare: options.verificationShare };
  const verifiers = new Map(
    options.verification
      ? [...new Set(secrets.flatMap((secret) => secret.rotationFunction ?? []))].map((fn) => [fn, verifierSettings])
      : [],
  );
  const budget = computeRateBudget({
    machines,
    limitsOf: (instance) => ({
      ratePer10Seconds: options.instanceLimits[instance] ?? options.rateLimit,
      appsShare: options.appsShare,
    }),
    verifiers,
  });
  return { secrets, budget, problems: describeBudgetProblems(budget, REMEDIES), options };
}
