import { type Command, Option } from 'commander';
import { Defaults, EnvVar, Stage } from '../../constants.ts';
import type { SecretDescription } from '../../core/SecretStore.ts';
import { isRotatorError } from '../../errors.ts';
import { type MachineSecret, parseMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { checkRotationAllowed } from '../checkRotationAllowed.ts';
import { confirmByTypingName } from '../confirmByTypingName.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { OperationError } from '../errors.ts';
import { parseSecretId, positiveSecondsParser } from '../optionParsers.ts';
import { withEmergencyTags } from '../withEmergencyTags.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { checkOldKeyRevoked } from './checkOldKeyRevoked.ts';
import { type RotateReport, rotateView } from './rotateReport.ts';
import { startRotation } from './startRotation.ts';

interface RotateOptions {
  readonly wait?: boolean;
  readonly timeout: number;
  readonly pollInterval: number;
  readonly emergency?: boolean;
  readonly yes?: boolean;
  readonly instanceKeySecret?: string;
}

/** AWSCURRENT's key when the emergency begins: the suspected key, which must be dead at Clerk afterwards. */
async function readSuspectedKey(ctx: CliContext, secret: SecretDescription): Promise<MachineSecret> {
  const value = await ctx.store().getSecretVersion(secret.arn, { stage: Stage.current });
  try {
    return parseMachineSecret(value?.secretString, `AWSCURRENT of ${secret.name}`);
  } catch (error) {
    if (!isRotatorError(error)) throw error;
    // The function refuses such a value too (createSecret): rotating could only fail.
    throw new OperationError(error.code, `${error.message}; rotate --emergency changed nothing`);
  }
}

/**
 * Confirmed first; runs with the previous key's TTL and the minimum interval at 0 (tags restored afterwards); once
 * AWSCURRENT has moved, asks Clerk whether the suspected key is rejected.
 */
async function rotateInEmergency(
  ctx: CliContext,
  secret: SecretDescription,
  options: RotateOptions & { readonly secretId: string },
): Promise<RotateReport> {
  const suspected = await readSuspectedKey(ctx, secret);
  if (!options.yes) {
    await confirmByTypingName(ctx, {
      name: secret.name,
      given: options.secretId,
      command: 'rotate --emergency',
      warning: `EMERGENCY rotation of ${secret.name}: the current key stops working at Clerk the moment the new one is issued (previous-key TTL 0). Every app that has not picked up the new key fails until it re-reads the secret.`,
    });
  }
  const start = { ...options, wait: true, emergency: true };
  const { result, tags } = await withEmergencyTags(ctx, secret, () => startRotation(ctx, secret, start));
  const report = { ...result, emergencyTags: tags };
  if (result.result.outcome !== 'promoted') return report;
  return { ...report, oldKey: await checkOldKeyRevoked(ctx, suspected) };
}

/**
 * Refuses what would not work (no function, a rotate in flight, a rotation pending, too soon after the last one),
 * then rotates; an emergency is confirmed first and ends by asking Clerk whether the suspected key is dead.
 */
async function rotate(ctx: CliContext, secretId: string, options: RotateOptions): Promise<RotateReport> {
  const secret = await ctx.store().describeSecret(secretId);
  const emergency = options.emergency === true;
  const settings = ctx.functionSettings();
  const intervalSeconds = settings.minRotationIntervalSeconds;
  await checkRotationAllowed(ctx.store(), secret, {
    now: ctx.clock.now(),
    horizonSeconds: settings.rotateLandingHorizonSeconds,
    checkInterval: !emergency,
    defaultInterval: {
      seconds: intervalSeconds,
      source:
        intervalSeconds === Defaults.minRotationIntervalSeconds
          ? 'the default'
          : `${EnvVar.minRotationIntervalSeconds} in the CLI's environment`,
    },
    onNote: (note) => ctx.output.message(note),
  });
  if (!secret.rotationEnabled) {
    ctx.output.message(`note: automatic rotation of ${secret.name} is off; RotateSecret turns it back on`);
  }
  if (emergency) return rotateInEmergency(ctx, secret, { ...options, secretId });
  return startRotation(ctx, secret, { ...options, wait: options.wait === true, emergency });
}

export function registerRotateCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('rotate')
    .description(
      'Rotate now (RotateSecret, RotateImmediately=true); with --wait, follow the rotation step by step until AWSCURRENT moves, and on failure say where it is stuck and why.',
    )
    .argument('<secret>', 'the machine secret (name or ARN)', parseSecretId)
    .option('--wait', 'follow the rotation until AWSCURRENT moves, fails or times out')
    .addOption(
      new Option('--timeout <seconds>', 'with --wait: give up after this long')
        .default(CliDefaults.rotateTimeoutSeconds)
        .argParser(positiveSecondsParser(3_600)),
    )
    .addOption(
      new Option('--poll-interval <seconds>', 'with --wait: how often to poll DescribeSecret')
        .default(CliDefaults.pollIntervalSeconds)
        .argParser(positiveSecondsParser(60)),
    )
    .option(
      '--emergency',
      'kill the current key at once: rotate with previous-key TTL 0 (and no minimum interval) through the secret tags clerk-rotator:previous-key-ttl-seconds and clerk-rotator:min-rotation-interval-seconds, restored afterwards; implies --wait; asks you to type the secret name; ends by asking Clerk whether the old key is rejected (exit 1, OLD_KEY_STILL_ACCEPTED, if Clerk does not confirm it)',
    )
    .option('--yes', 'with --emergency: confirm without the prompt (needed when stdin is not a terminal)')
    .option(
      '--instance-key-secret <id>',
      'for the failure diagnosis: the secret holding the Clerk instance key (default: the secret tag clerk-rotator:instance-key-secret-id, then env CLERK_SECRET_KEY_SECRET_ID)',
    )
    .addHelpText(
      'after',
      `
Progress (--wait) shows what Secrets Manager lets one see: AWSPENDING appearing on the
new version, the new key staged on it (createSecret done), AWSCURRENT moving to it, and
AWSPENDING removed. Secrets Manager reports no step failures: a rotation that stops is
seen as AWSCURRENT not moving before --timeout; the CLI then diagnoses the pending
version (its value, Clerk's verdict on its key) and names the runbook entry. A rotation
waiting for the landing horizon of a rotate recorded on the secret (ROTATE_IN_FLIGHT,
ROTATE_OUTCOME_UNKNOWN) is not stuck: the CLI says when progress is expected. rotate
refuses to start while such a rotate may still land.

--emergency says the old key stopped working only once Clerk rejects it (asked at once,
then after 2 s and 3 s more); otherwise it exits 1 with OLD_KEY_STILL_ACCEPTED.

Examples:
  $ clerk-rotator rotate prod/clerk/machines/billing --wait
  $ clerk-rotator rotate prod/clerk/machines/billing --emergency
${EXIT_CODES_HELP}`,
    )
    .action(
      run('rotate', async (ctx: CliContext, [secretId]: string[], options: RotateOptions) =>
        ctx.output.render(rotateView(await rotate(ctx, secretId ?? '', options))),
      ),
    );
}
