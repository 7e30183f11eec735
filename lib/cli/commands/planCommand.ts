import { type Command, InvalidArgumentError, Option } from 'commander';
import { BudgetDefaults } from '../../budget/BudgetDefaults.ts';
import { Defaults, EnvVar, TagKey } from '../../constants.ts';
import { describeValue } from '../../describeValue.ts';
import type { CliContext } from '../CliContext.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { UsageError } from '../errors.ts';
import { secondsParser } from '../optionParsers.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { type PlanOptions, planOf } from './planBudget.ts';
import { planView } from './planReport.ts';

interface PlanFlags {
  readonly rateLimit?: number;
  readonly instanceLimit: Readonly<Record<string, number>>;
  readonly appsShare: number;
  readonly verification: boolean;
  readonly verificationInterval: number;
  readonly verificationShare?: number;
  readonly defaultInstance?: string;
}

function rateLimit(raw: string): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= 1 && value <= 100_000)) {
    throw new InvalidArgumentError(
      `must be a whole number of requests per 10 s from 1 to 100000, got ${describeValue(raw)}.`,
    );
  }
  return value;
}

function share(max: number, maxExclusive: boolean, minExclusive: boolean): (raw: string) => number {
  return (raw) => {
    const value = /^\d*\.?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!((minExclusive ? value > 0 : value >= 0) && (maxExclusive ? value < max : value <= max))) {
      const lower = minExclusive ? 'above 0' : 'from 0';
      throw new InvalidArgumentError(
        `must be a share ${lower} ${maxExclusive ? 'and below' : 'to'} ${max}, got ${describeValue(raw)}.`,
      );
    }
    return value;
  };
}

/** `--instance-limit <secret>=<n>`, repeatable. */
function instanceLimit(raw: string, previous: Readonly<Record<string, number>>): Record<string, number> {
  const at = raw.lastIndexOf('=');
  if (at <= 0)
    throw new InvalidArgumentError(`must be <instance-key secret>=<requests per 10 s>, got ${describeValue(raw)}.`);
  return { ...previous, [raw.slice(0, at).trim()]: rateLimit(raw.slice(at + 1)) };
}

/** An environment default, read the way the verification function reads its own (lib/verification). */
function fromEnv(env: CliContext['env'], name: string, parse: (raw: string) => number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  try {
    return parse(raw);
  } catch (error) {
    throw new UsageError(`${name} ${(error as Error).message}`, 'plan');
  }
}

function resolveOptions(ctx: CliContext, flags: PlanFlags): PlanOptions {
  return {
    rateLimit:
      flags.rateLimit ??
      fromEnv(ctx.env, EnvVar.clerkRateLimitPer10Seconds, rateLimit) ??
      Defaults.clerkRateLimitPer10Seconds,
    instanceLimits: flags.instanceLimit,
    appsShare: flags.appsShare,
    verification: flags.verification,
    verificationInterval: flags.verificationInterval,
    verificationShare:
      flags.verificationShare ??
      fromEnv(ctx.env, EnvVar.verifyClerkRateShare, share(1, false, true)) ??
      Defaults.verifyClerkRateShare,
    defaultInstance: flags.defaultInstance ?? (ctx.env[EnvVar.instanceKeySecretId]?.trim() || undefined),
  };
}

export function registerPlanCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('plan')
    .description(
      "Check the Clerk rate budget of the machine secrets in this account and region: every secret tagged clerk-rotator:machine-id, grouped by Clerk instance (its clerk-rotator:instance-key-secret-id tag), with each instance's predicted busiest 10 s of rotations and verification against its declared limit less the apps' share, and its day hour by hour.",
    )
    .addOption(
      new Option(
        '--rate-limit <n>',
        `declared limit of every instance, requests per 10 s (default: ${EnvVar.clerkRateLimitPer10Seconds}, then ${Defaults.clerkRateLimitPer10Seconds})`,
      ).argParser(rateLimit),
    )
    .addOption(
      new Option(
        '--instance-limit <secret=n>',
        'declared limit of one instance, by its instance-key secret as the tag names it (repeatable)',
      )
        .argParser(instanceLimit)
        .default({}),
    )
    .addOption(
      new Option('--apps-share <share>', "share of each limit kept for the apps' own traffic")
        .argParser(share(1, true, false))
        .default(BudgetDefaults.appsShareOfRateLimit),
    )
    .addOption(
      new Option('--verification-interval <seconds>', 'how often each rotator’s verification runs')
        .argParser(secondsParser(60))
        .default(Defaults.verificationIntervalSeconds),
    )
    .addOption(
      new Option(
        '--verification-share <share>',
        `share of the limit each verification is paced to (default: ${EnvVar.verifyClerkRateShare}, then ${Defaults.verifyClerkRateShare})`,
      ).argParser(share(1, false, true)),
    )
    .addOption(new Option('--no-verification', 'count no scheduled verification'))
    .addOption(
      new Option(
        '--default-instance <secret>',
        `the instance of secrets without the instance tag (default: ${EnvVar.instanceKeySecretId})`,
      ),
    )
    .addHelpText(
      'after',
      `\nplan exits 0 when every instance fits its budget (warnings from ${BudgetDefaults.warnAtShareOfBudget * 100} % of it), 1 when one does not or a verification run outlasts its interval.\n${EXIT_CODES_HELP}`,
    )
    .action(
      run('plan', async (ctx: CliContext, _args: string[], flags: PlanFlags) => {
        const options = resolveOptions(ctx, flags);
        const store = ctx.store();
        // ListSecrets by the binding tag, 100 a page: each entry carries its RotationRules and tags.
        return ctx.output.render(
          planView(await planOf((token) => store.listSecretsWithTag(TagKey.machineId, token), options)),
        );
      }),
    );
}
