import { Command, Option } from 'commander';
import { Defaults, EnvVar, PACKAGE_VERSION } from '../constants.ts';
import { type CliContext, createCliContext, createOutputFor, type GlobalOptions } from './CliContext.ts';
import { CliDefaults, CliEnvVar } from './CliDefaults.ts';
import type { CliDeps } from './CliDeps.ts';
import type { ActionRunner } from './commands/ActionRunner.ts';
import { registerInitCommand } from './commands/initCommand.ts';
import { registerPlanCommand } from './commands/planCommand.ts';
import { registerRepairCommand } from './commands/repairCommand.ts';
import { registerRotateCommand } from './commands/rotateCommand.ts';
import { registerStatusCommand } from './commands/statusCommand.ts';
import { registerVerifyCommand } from './commands/verifyCommand.ts';
import { EXIT_CODES_HELP, type ExitCode } from './ExitCode.ts';
import { reportError } from './reportError.ts';
import { safeLines } from './safeText.ts';

const ENVIRONMENT_HELP = `
Environment:
  AWS_REGION, AWS_PROFILE, credentials  as for the AWS CLI (--region and --profile win)
  AWS_ENDPOINT_URL_SECRETS_MANAGER      Secrets Manager endpoint (--endpoint-url wins)
  ${EnvVar.clerkApiUrl.padEnd(38)}Clerk's API (--clerk-api-url wins)
  ${EnvVar.instanceKeySecretId.padEnd(38)}the secret holding the Clerk instance key, when
  ${''.padEnd(38)}neither --instance-key-secret nor a tag names one
  ${CliEnvVar.functionLog.padEnd(38)}a file of the rotation function's JSON log lines
  ${''.padEnd(38)}(the local stack writes one): read to explain a failure
  ${EnvVar.rotateLandingHorizonSeconds.padEnd(38)}the function's landing horizon when it is not
  ${''.padEnd(38)}the default 600 s (the CLI cannot read the function's)
  ${EnvVar.minRotationIntervalSeconds.padEnd(38)}rotate: the function's minimum interval when it
  ${''.padEnd(38)}is not the default 1800 s (a secret's tag wins)
  ${EnvVar.pendingStuckAfterSeconds}, ${EnvVar.clerkRateLimitPer10Seconds},
  ${EnvVar.verifyClerkRateShare.padEnd(38)}verify: as the scheduled verification reads them
  NO_COLOR                              set and not empty: no colour`;

/**
 * The commander program for one run. Everything it writes goes to the injected streams; it never exits the process:
 * each action stores its exit code through `setExitCode`, parse errors surface as CommanderError.
 */
export function buildProgram(deps: CliDeps, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command()
    .name(CliDefaults.programName)
    .description(
      'Operate Clerk machine secret keys (ak_…) rotated in AWS Secrets Manager: onboard a machine, see where a secret stands, rotate (or rotate in an emergency) and watch it happen, verify the keys at Clerk, and repair a stuck rotation. Keys are never printed (except init --show-key).',
    )
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(safeLines(text)),
      writeErr: (text) => deps.stderr.write(safeLines(text)),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .addOption(new Option('--region <region>', 'AWS region (default: AWS_REGION, then the profile)'))
    .addOption(new Option('--profile <profile>', 'AWS profile (default: AWS_PROFILE)'))
    .addOption(
      new Option(
        '--endpoint-url <url>',
        "Secrets Manager endpoint, e.g. the local stack's (default: AWS_ENDPOINT_URL_SECRETS_MANAGER)",
      ),
    )
    .addOption(
      new Option(
        '--clerk-api-url <url>',
        `Clerk's API base URL (default: ${EnvVar.clerkApiUrl}, then ${Defaults.clerkApiUrl})`,
      ),
    )
    .option('--json', 'print one JSON document instead of text (errors too)')
    .option('--no-color', 'no colour (colour is used only on a terminal and when NO_COLOR is unset)')
    .addHelpText('after', `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}`);

  const run: ActionRunner =
    (name, body) =>
    async (...actionArgs) => {
      const command = actionArgs.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      const output = createOutputFor(globals, deps);
      let ctx: CliContext | undefined;
      try {
        ctx = createCliContext(globals, deps, output);
        setExitCode(await body(ctx, command.processedArgs as string[], command.opts() as Parameters<typeof body>[2]));
      } catch (error) {
        setExitCode(reportError(error, output, { command: name, endpoint: ctx?.awsConfig.endpoint }));
      } finally {
        ctx?.close();
      }
    };

  registerInitCommand(program, run);
  registerStatusCommand(program, run);
  registerRotateCommand(program, run);
  registerVerifyCommand(program, run);
  registerRepairCommand(program, run);
  registerPlanCommand(program, run);
  return program;
}
