import { type Command, Option } from 'commander';
import { assessSecret } from '../assessSecret.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { parseSecretId, secondsParser } from '../optionParsers.ts';
import { readFunctionLog } from '../readFunctionLog.ts';
import { readSecretSnapshot } from '../readSecretSnapshot.ts';
import { readRotatesInFlight } from '../rotatesInFlight.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { type StatusReport, statusView } from './statusReport.ts';

export interface StatusOptions {
  readonly stuckAfter: number;
  readonly refreshWindow: number;
}

export const VERDICTS_HELP = `
Verdicts (from Secrets Manager's state and the secret's fields; no Clerk call):
  healthy               none of the below
  rotation in progress  AWSPENDING on a version other than AWSCURRENT, created less
                        than --stuck-after ago, or waiting for the landing horizon of a
                        rotate recorded on the secret (nothing may act before it ends)
  stuck AWSPENDING      the same, created --stuck-after or longer ago: the rotation
                        failed or was abandoned; new rotations are refused (run repair)
  overlap expired       AWSCURRENT's previousKeyExpiresAt has passed, and it is less than
                        --refresh-window since AWSCURRENT was staged (its rotatedAt):
                        apps that have not re-read the secret hold a dead key
  invalid value         AWSCURRENT has no value or is not the documented JSON
status exits 0 for healthy and rotation in progress, 1 for the others.`;

/**
 * Reads the secret once and judges it, with the rotates recorded on it that may still land; for a pending version
 * also what the rotation function recorded. Secrets Manager only, never Clerk.
 */
export async function statusOf(ctx: CliContext, secretId: string, options: StatusOptions): Promise<StatusReport> {
  const snapshot = await readSecretSnapshot(ctx.store(), secretId);
  const now = ctx.clock.now();
  const horizonSeconds = ctx.functionSettings().rotateLandingHorizonSeconds;
  const rotatesInFlight = await readRotatesInFlight(ctx.store(), snapshot, { now, horizonSeconds });
  const verdict = assessSecret(snapshot, {
    now,
    stuckAfterMs: options.stuckAfter * 1000,
    refreshWindowMs: options.refreshWindow * 1000,
    rotatesInFlight,
  });
  const functionLog =
    snapshot.pending === undefined
      ? undefined
      : await readFunctionLog({
          path: ctx.functionLogPath,
          functionArn: snapshot.rotationLambdaArn,
          secretArn: snapshot.arn,
          versionId: snapshot.pending.versionId,
        });
  return { snapshot, verdict, now, functionLog, rotatesInFlight };
}

export function registerStatusCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('status')
    .description(
      "Show where a secret stands: versions and stages, last and next rotation, the previous key's overlap (previousKeyExpiresAt), the rotation function, and a verdict.",
    )
    .argument('<secret>', 'the machine secret (name or ARN)', parseSecretId)
    .addOption(
      new Option('--stuck-after <seconds>', 'AWSPENDING this old (on a non-current version) is stuck, not in progress')
        .default(CliDefaults.stuckAfterSeconds)
        .argParser(secondsParser(0)),
    )
    .addOption(
      new Option('--refresh-window <seconds>', 'how long apps may keep using a key they read before a rotation')
        .default(CliDefaults.refreshWindowSeconds)
        .argParser(secondsParser(0)),
    )
    .addHelpText('after', `${VERDICTS_HELP}\n${EXIT_CODES_HELP}`)
    .action(
      run('status', async (ctx: CliContext, [secretId]: string[], options: StatusOptions) =>
        ctx.output.render(statusView(await statusOf(ctx, secretId ?? '', options))),
      ),
    );
}
