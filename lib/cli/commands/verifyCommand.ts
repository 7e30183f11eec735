import type { Command } from 'commander';
import { Stage } from '../../constants.ts';
import type { CliContext } from '../CliContext.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { OperationError, UsageError } from '../errors.ts';
import { parseSecretId } from '../optionParsers.ts';
import { readSecretSnapshot } from '../readSecretSnapshot.ts';
import { INSTANCE_KEY_MISSING, readInstanceKeySecret, resolveInstanceKeySecret } from '../resolveInstanceKey.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { checkCurrentKeyIsClerks, checkCurrentKeyWorks, checkPreviousKeyOverlap } from './verifyChecks.ts';
import { type VerifyReport, verifyView } from './verifyReport.ts';

interface VerifyOptions {
  readonly instanceKeySecret?: string;
}

/** Reads the secret and the instance key, then asks Clerk about each key; a failed check is a finding, not an error. */
async function verify(ctx: CliContext, secretId: string, options: VerifyOptions): Promise<VerifyReport> {
  const store = ctx.store();
  const clerk = ctx.clerk();
  const snapshot = await readSecretSnapshot(store, secretId);
  if (!snapshot.current.ok) throw new OperationError(snapshot.current.error.code, snapshot.current.error.message);
  const { secret: current, versionId } = snapshot.current;
  const source = resolveInstanceKeySecret({ option: options.instanceKeySecret, tags: snapshot.tags, env: ctx.env });
  if (source === undefined) {
    throw new UsageError(`verify reads Clerk's current key, and there is ${INSTANCE_KEY_MISSING}`, 'verify');
  }
  const instanceKey = await readInstanceKeySecret(store, source);
  const checks = [
    await checkCurrentKeyWorks(clerk, current, versionId),
    await checkCurrentKeyIsClerks(clerk, current, instanceKey),
    await checkPreviousKeyOverlap(clerk, {
      previous: await store.getValue(snapshot.arn, { stage: Stage.previous }),
      current,
      secretName: snapshot.name,
      now: ctx.clock.now(),
    }),
  ];
  return {
    secret: { name: snapshot.name, arn: snapshot.arn },
    machineId: current.machineId,
    instanceKeySecret: source,
    checks,
  };
}

export function registerVerifyCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('verify')
    .description(
      "Check the keys against Clerk: AWSCURRENT's key authenticates and is Clerk's current key; AWSPREVIOUS's key works while inside its overlap (AWSCURRENT's previousKeyExpiresAt).",
    )
    .argument('<secret>', 'the machine secret (name or ARN)', parseSecretId)
    .option(
      '--instance-key-secret <id>',
      'the secret holding the Clerk instance key (default: the secret tag clerk-rotator:instance-key-secret-id, then env CLERK_SECRET_KEY_SECRET_ID)',
    )
    .addHelpText(
      'after',
      `
Checks (exit 1 if any fails):
  current-key-works      GET /m2m_tokens with AWSCURRENT's key (no token is minted)
  current-key-is-clerks  GET /machines/{id}/secret_key with the instance key equals it
  previous-key-overlap   before previousKeyExpiresAt Clerk must accept AWSPREVIOUS's key;
                         after it, a rejection is expected (acceptance is only noted)
${EXIT_CODES_HELP}`,
    )
    .action(
      run('verify', async (ctx: CliContext, [secretId]: string[], options: VerifyOptions) =>
        ctx.output.render(verifyView(await verify(ctx, secretId ?? '', options))),
      ),
    );
}
