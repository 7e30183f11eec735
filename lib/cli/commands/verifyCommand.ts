import { type Command, Option } from 'commander';
import { Stage, TagKey } from '../../constants.ts';
import { unqualifiedFunctionArn } from '../../core/checkRotationPreconditions.ts';
import type { SecretDescription, SecretStore, SecretVersion } from '../../core/SecretStore.ts';
import { parseMachineSecret } from '../../secretFormat.ts';
import type { SecretVerdict } from '../../verification/SecretVerdict.ts';
import { verifyMachineSecret } from '../../verification/verifyMachineSecret.ts';
import type { CliContext } from '../CliContext.ts';
import { createCliVerification } from '../createCliVerification.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { isErrorCode, OperationError, UsageError } from '../errors.ts';
import { parseLambdaArn, parseSecretId, secondsParser } from '../optionParsers.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { checkCurrentKeyIsClerks, checkCurrentKeyWorks, checkPreviousKeyOverlap } from './verifyChecks.ts';
import { type Check, type VerifyAllReport, type VerifyReport, verifyAllView, verifyView } from './verifyReport.ts';

interface VerifyOptions {
  readonly all?: boolean;
  readonly function?: string;
  readonly heal?: boolean;
  readonly stuckAfter?: number;
  readonly instanceKeySecret?: string;
}

function verificationOptions(options: VerifyOptions) {
  return {
    heal: options.heal === true,
    stuckAfterSeconds: options.stuckAfter,
    instanceKeySecret: options.instanceKeySecret?.trim() || undefined,
  };
}

/** Secrets Manager or Clerk could not be asked about the one secret: an error (its code decides the exit code). */
function unverified(verdict: SecretVerdict): Error {
  if (!isErrorCode(verdict.errorCode)) return new Error(`the verification failed: ${verdict.detail}`);
  return new OperationError(verdict.errorCode, verdict.detail);
}

/** The operator's checks beside the verdict: each key of the secret asked of Clerk. */
async function operatorChecks(
  ctx: CliContext,
  secret: SecretDescription,
  value: SecretVersion | undefined,
  verdict: SecretVerdict,
): Promise<Check[]> {
  const current = parseMachineSecret(value?.secretString, `AWSCURRENT of ${secret.name}`);
  return [
    await checkCurrentKeyWorks(ctx.clerk(), current, value?.versionId ?? '', verdict),
    checkCurrentKeyIsClerks(verdict),
    await checkPreviousKeyOverlap(ctx.clerk(), {
      previous: await ctx.store().getSecretVersion(secret.arn, { stage: Stage.previous }),
      current,
      secretName: secret.name,
      now: ctx.clock.now(),
    }),
  ];
}

/**
 * One secret: the scheduled verification's verdict (healing only with --heal), then the operator's checks of each
 * key. The instance key is read first, so a missing setting or a denied read fails as in every other command.
 */
async function verifySecret(ctx: CliContext, secretId: string, options: VerifyOptions): Promise<VerifyReport> {
  const secret = await ctx.store().describeSecret(secretId);
  // Read before the verdict, so that a denied read is an AWS error (exit 3) rather than a "failed" verdict.
  const verification = createCliVerification(ctx, verificationOptions(options));
  const instanceKeySecret = await verification.readInstanceKeyFor(secret);
  const value = await ctx.store().getSecretVersion(secret.arn, { stage: Stage.current });
  const verdict = await verifyMachineSecret(verification.contextFor(secret), secret);
  if (verdict.outcome === 'failed') throw unverified(verdict);
  return {
    secret: { name: secret.name, arn: secret.arn },
    machineId: verdict.machineId,
    instanceKeySecret,
    verdict,
    checks: verdict.outcome === 'invalid' ? [] : await operatorChecks(ctx, secret, value, verdict),
    healRequested: options.heal === true,
  };
}

/** Every secret bound to a machine (ListSecrets on the tag) whose rotation function is this one, as verify.ts lists them. */
async function managedSecrets(store: SecretStore, functionArn: string): Promise<SecretDescription[]> {
  const ours = unqualifiedFunctionArn(functionArn);
  const secrets: SecretDescription[] = [];
  let token: string | undefined;
  do {
    const page = await store.listSecretsWithTag(TagKey.machineId, token);
    for (const secret of page.secrets) {
      if (secret.rotationLambdaArn !== undefined && unqualifiedFunctionArn(secret.rotationLambdaArn) === ours) {
        secrets.push(secret);
      }
    }
    token = page.nextToken;
  } while (token !== undefined);
  return secrets.sort((a, b) => a.name.localeCompare(b.name));
}

/** The function whose secrets `--all` verifies: --function, else the named secret's RotationLambdaARN. */
async function functionToVerify(ctx: CliContext, secretId: string | undefined, options: VerifyOptions) {
  if (options.function !== undefined) {
    if (secretId !== undefined) {
      throw new UsageError(
        'verify --all takes either <secret> (its rotation function) or --function <arn>, not both',
        'verify',
      );
    }
    return options.function;
  }
  if (secretId === undefined) {
    throw new UsageError(
      'verify --all needs the rotation function: --function <arn>, or a <secret> it rotates',
      'verify',
    );
  }
  const secret = await ctx.store().describeSecret(secretId);
  if (secret.rotationLambdaArn === undefined) {
    throw new UsageError(
      `verify --all needs a rotation function, and ${secret.name} has none: pass --function <arn>`,
      'verify',
    );
  }
  return secret.rotationLambdaArn;
}

async function verifyAll(
  ctx: CliContext,
  secretId: string | undefined,
  options: VerifyOptions,
): Promise<VerifyAllReport> {
  const functionArn = await functionToVerify(ctx, secretId, options);
  const verification = createCliVerification(ctx, verificationOptions(options));
  const verdicts: SecretVerdict[] = [];
  for (const secret of await managedSecrets(ctx.store(), functionArn)) {
    verdicts.push(await verifyMachineSecret(verification.contextFor(secret), secret));
  }
  return { functionArn, verdicts, healRequested: options.heal === true };
}

async function runVerify(ctx: CliContext, secretId: string | undefined, options: VerifyOptions) {
  if (options.all === true) return ctx.output.render(verifyAllView(await verifyAll(ctx, secretId, options)));
  if (options.function !== undefined) throw new UsageError('--function goes with --all', 'verify');
  if (secretId === undefined) {
    throw new UsageError(
      'verify needs a <secret>, or --all with --function <arn> for every secret of a function',
      'verify',
    );
  }
  return ctx.output.render(verifyView(await verifySecret(ctx, secretId, options)));
}

export function registerVerifyCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('verify')
    .description(
      "Check a secret against Clerk as the scheduled verification does (AWSCURRENT is Clerk's current key; drift, a stuck AWSPENDING, an unbound secret), plus each key asked of Clerk; --all for every secret of a rotation function; --heal starts the rotation that adopts Clerk's key on drift.",
    )
    .argument('[secret]', 'the machine secret (name or ARN)', parseSecretId)
    .option('--all', "every machine secret of the rotation function (--function <arn>, or the <secret>'s own)")
    .addOption(
      new Option('--function <arn>', 'with --all: the rotation function whose secrets to verify').argParser(
        parseLambdaArn,
      ),
    )
    .option(
      '--heal',
      "on drift, start a rotation that adopts Clerk's key (RotateSecret), as the scheduled verification does; without it, verify only reports",
    )
    .addOption(
      new Option(
        '--stuck-after <seconds>',
        'AWSPENDING this old is pending-stuck (default: PENDING_STUCK_AFTER_SECONDS, else 3600, as the scheduled verification)',
      ).argParser(secondsParser(0, 604_800)),
    )
    .option(
      '--instance-key-secret <id>',
      "the secret holding the Clerk instance key, when the secret's tag clerk-rotator:instance-key-secret-id names none (default: env CLERK_SECRET_KEY_SECRET_ID)",
    )
    .addHelpText(
      'after',
      `
Verdicts (the scheduled verification's own):
  in-sync               AWSCURRENT holds Clerk's current key
  rotation-in-progress  AWSPENDING on a young version: the rotation decides
  pending-stuck         AWSPENDING older than --stuck-after (run repair)
  drift                 AWSCURRENT's key is not Clerk's current key (--heal adopts it)
  invalid               value, binding tag or instance-key tag prevent a verification
Checks (one secret; exit 1 if any fails):
  current-key-works      GET /m2m_tokens with AWSCURRENT's key (no token is minted)
  current-key-is-clerks  GET /machines/{id}/secret_key with the instance key equals it
  previous-key-overlap   before previousKeyExpiresAt Clerk must accept AWSPREVIOUS's key;
                         after it, a rejection is expected (acceptance is only noted)
verify exits 1 unless every verdict is in-sync or rotation-in-progress and no check fails.

Examples:
  $ clerk-rotator verify prod/clerk/machines/billing
  $ clerk-rotator verify --all --function arn:aws:lambda:us-east-1:123456789012:function:clerk-rotator --heal
${EXIT_CODES_HELP}`,
    )
    .action(
      run('verify', async (ctx: CliContext, [secretId]: (string | undefined)[], options: VerifyOptions) =>
        runVerify(ctx, secretId, options),
      ),
    );
}
