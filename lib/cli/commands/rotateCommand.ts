import { type Command, Option } from 'commander';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { checkRotationAllowed } from '../checkRotationAllowed.ts';
import { confirmByTypingName } from '../confirmByTypingName.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { parseSecretId, positiveSecondsParser } from '../optionParsers.ts';
import { withEmergencyTags } from '../withEmergencyTags.ts';
import type { ActionRunner } from './ActionRunner.ts';
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

/**
 * Refuses what would not work (no function, a rotation pending, too soon after the last one), then rotates; an
 * emergency is confirmed first and runs with the previous key's TTL and the minimum interval at 0.
 */
async function rotate(ctx: CliContext, secretId: string, options: RotateOptions): Promise<RotateReport> {
  const metadata = await ctx.store().describe(secretId);
  const emergency = options.emergency === true;
  await checkRotationAllowed(ctx.store(), metadata, {
    now: ctx.clock.now(),
    checkInterval: !emergency,
    onNote: (note) => ctx.output.message(note),
  });
  if (!metadata.rotationEnabled) {
    ctx.output.message(`note: automatic rotation of ${metadata.name} is off; RotateSecret turns it back on`);
  }
  const start = { ...options, wait: options.wait === true || emergency, emergency };
  if (!emergency) return startRotation(ctx, metadata, start);

  if (!options.yes) {
    await confirmByTypingName(ctx, {
      name: metadata.name,
      given: secretId,
      command: 'rotate --emergency',
      warning: `EMERGENCY rotation of ${metadata.name}: the current key stops working at Clerk the moment the new one is issued (previous-key TTL 0). Every app that has not picked up the new key fails until it re-reads the secret.`,
    });
  }
  const { result, tags } = await withEmergencyTags(ctx, metadata, () => startRotation(ctx, metadata, start));
  return { ...result, emergencyTags: tags };
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
      'kill the current key at once: rotate with previous-key TTL 0 (and no minimum interval) through the secret tags clerk-rotator:previous-key-ttl-seconds and clerk-rotator:min-rotation-interval-seconds, restored afterwards; implies --wait; asks you to type the secret name',
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
version (its value, Clerk's verdict on its key) and names the runbook entry.

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
