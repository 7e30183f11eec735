import { type Command, Option } from 'commander';
import { Stage, TagKey } from '../../constants.ts';
import { versionWithStage } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import { parseMachineSecret, serializeMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import type { RotationRules } from '../createOperatorSecretStore.ts';
import { EXIT_CODES_HELP, ExitCode } from '../ExitCode.ts';
import { CliErrorCode, OperationError, UsageError } from '../errors.ts';
import {
  parseLambdaArn,
  parseMachineIdArgument,
  parsePreviousKeyTtl,
  parseSchedule,
  parseSecretId,
  parseSecretName,
} from '../optionParsers.ts';
import { INSTANCE_KEY_MISSING, readInstanceKeySecret, resolveInstanceKeySecret } from '../resolveInstanceKey.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { describeRules } from './statusCommand.ts';

interface InitOptions {
  readonly name?: string;
  readonly adopt?: string;
  readonly instanceKeySecret?: string;
  readonly previousKeyTtl?: number;
  readonly rotationFunction?: string;
  readonly schedule?: RotationRules;
  readonly showKey?: boolean;
}

const OWN_FIELDS = new Set(['machineId', 'secretKey', 'rotatedAt', 'previousKeyExpiresAt']);

/** Fields of an existing JSON value that are not ours: kept when the secret is adopted. */
function extraFields(secretString: string | undefined): Record<string, unknown> {
  if (secretString === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => !OWN_FIELDS.has(key)));
}

async function init(ctx: CliContext, machineId: string, options: InitOptions): Promise<ExitCode> {
  const { output } = ctx;
  if (options.name === undefined && options.adopt === undefined) {
    throw new UsageError(
      'say where the key goes: --name <secretName> creates a new secret, --adopt <existingSecret> writes into an existing one',
      'init',
    );
  }
  if ((options.rotationFunction === undefined) !== (options.schedule === undefined)) {
    throw new UsageError(
      '--rotation-function and --schedule go together: the function to rotate with and how often (days, rate(…) or cron(…))',
      'init',
    );
  }
  const instanceKeySecret = resolveInstanceKeySecret({ option: options.instanceKeySecret, env: ctx.env });
  if (instanceKeySecret === undefined) throw new UsageError(INSTANCE_KEY_MISSING, 'init');

  const store = ctx.store();
  let existing: { arn: string; name: string; secretString: string | undefined } | undefined;
  if (options.adopt !== undefined) {
    const metadata = await store.describe(options.adopt);
    const pending = versionWithStage(metadata, Stage.pending);
    if (pending !== undefined && pending !== versionWithStage(metadata, Stage.current)) {
      throw new OperationError(
        CliErrorCode.rotationStuck,
        `${metadata.name} has a rotation pending (AWSPENDING on version ${pending}); resolve it first (status, repair)`,
      );
    }
    const taggedMachine = metadata.tags[TagKey.machineId];
    if (taggedMachine !== undefined && taggedMachine !== machineId) {
      throw new OperationError(
        ErrorCode.machineMismatch,
        `${metadata.name} is tagged ${TagKey.machineId}=${taggedMachine}, not ${machineId}; refusing to put another machine's key into it`,
      );
    }
    const value = await store.getValue(metadata.arn, { stage: Stage.current });
    existing = { arn: metadata.arn, name: metadata.name, secretString: value?.secretString };
  }

  const instanceKey = await readInstanceKeySecret(store, instanceKeySecret);
  const key = await ctx.clerk().getMachineSecretKey(instanceKey, machineId);

  let alreadyCurrent = false;
  if (existing !== undefined) {
    try {
      const held = parseMachineSecret(existing.secretString, `AWSCURRENT of ${existing.name}`);
      if (held.machineId !== machineId) {
        throw new OperationError(
          ErrorCode.machineMismatch,
          `${existing.name} holds a key for ${held.machineId}, not ${machineId}; refusing to overwrite another machine's key`,
        );
      }
      alreadyCurrent = held.secretKey.equals(key);
    } catch (error) {
      if (error instanceof OperationError) throw error;
      // Not a machine secret yet (a placeholder, another format): it is replaced, its other JSON fields kept.
    }
  }
  const secretString = serializeMachineSecret({
    machineId,
    secretKey: key,
    extra: extraFields(existing?.secretString),
  });

  const tags: Record<string, string> = { [TagKey.machineId]: machineId };
  if (options.previousKeyTtl !== undefined) tags[TagKey.previousKeyTtlSeconds] = String(options.previousKeyTtl);
  if (options.instanceKeySecret !== undefined) tags[TagKey.instanceKeySecretId] = instanceKeySecret.secretId;

  let target: { arn: string; name: string };
  let versionId: string | undefined;
  if (existing === undefined) {
    const created = await store.createSecret({ name: options.name ?? '', secretString, tags });
    target = { arn: created.arn, name: created.name };
    versionId = created.versionId;
  } else {
    target = existing;
    if (!alreadyCurrent) versionId = (await store.putCurrentValue(existing.arn, secretString)).versionId;
    await store.tag(existing.arn, tags);
  }

  if (options.rotationFunction !== undefined && options.schedule !== undefined) {
    try {
      await store.rotate({
        secretId: target.arn,
        rotationLambdaArn: options.rotationFunction,
        rules: options.schedule,
        rotateImmediately: false,
      });
    } catch (error) {
      output.message(
        `note: ${target.name} now holds Clerk's current key for ${machineId} and is tagged, but enabling rotation failed; fix the cause below and run init again with --adopt ${target.name}`,
      );
      throw error;
    }
  }

  const rotation =
    options.rotationFunction === undefined
      ? null
      : { functionArn: options.rotationFunction, rules: options.schedule ?? null, rotateImmediately: false };
  if (output.json) {
    output.document(
      {
        ok: true,
        action: existing === undefined ? 'created' : 'adopted',
        secret: { name: target.name, arn: target.arn },
        machineId,
        versionId: versionId ?? null,
        valueWritten: versionId !== undefined,
        tags,
        rotation,
        ...(options.showKey ? { secretKey: key.reveal() } : {}),
      },
      { revealKeys: options.showKey === true },
    );
    return ExitCode.ok;
  }

  const row = (label: string, value: string) => output.line(`  ${label.padEnd(10)}${value}`);
  output.line(
    output.styles.ok(
      `${existing === undefined ? 'Created' : 'Adopted'} secret ${target.name} for machine ${machineId}`,
    ),
  );
  row('arn', target.arn);
  row(
    'value',
    versionId === undefined
      ? "unchanged: it already holds Clerk's current key"
      : `Clerk's current key written as version ${versionId} (AWSCURRENT)`,
  );
  row(
    'tags',
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  );
  row(
    'rotation',
    rotation === null
      ? 'not configured (pass --rotation-function and --schedule to enable it)'
      : `enabled with ${rotation.functionArn}, ${describeRules(options.schedule)}; not rotated now (RotateImmediately=false: Secrets Manager runs testSecret once)`,
  );
  if (options.showKey) {
    output.revealed(`  ${'key'.padEnd(10)}${key.reveal()}\n`);
  } else {
    row('key', 'not shown (pass --show-key to print it)');
  }
  return ExitCode.ok;
}

export function registerInitCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('init')
    .description(
      "Onboard a machine: store Clerk's current key for <machineId> in a new secret (--name) or an existing one (--adopt), tag it, and optionally enable rotation.",
    )
    .argument('<machineId>', 'the Clerk machine id (mch_…)', parseMachineIdArgument)
    .addOption(new Option('--name <secretName>', 'create a new secret with this name').argParser(parseSecretName))
    .addOption(
      new Option(
        '--adopt <existingSecret>',
        'write into this existing secret instead (name or ARN); its other JSON fields are kept',
      )
        .argParser(parseSecretId)
        .conflicts('name'),
    )
    .option(
      '--instance-key-secret <id>',
      'the secret holding the Clerk instance key (sk_…); when given, also recorded as the tag clerk-rotator:instance-key-secret-id (default: env CLERK_SECRET_KEY_SECRET_ID)',
    )
    .addOption(
      new Option(
        '--previous-key-ttl <seconds>',
        "tag clerk-rotator:previous-key-ttl-seconds: how long a replaced key keeps working (0-28800; default: the function's)",
      ).argParser(parsePreviousKeyTtl),
    )
    .addOption(
      new Option('--rotation-function <arn>', 'enable rotation with this Lambda function (needs --schedule)').argParser(
        parseLambdaArn,
      ),
    )
    .addOption(
      new Option(
        '--schedule <expression|days>',
        'rotation schedule: days (1-1000), rate(N days|hours) or cron(…)',
      ).argParser(parseSchedule),
    )
    .option('--show-key', 'print the machine key (it is never printed otherwise)')
    .addHelpText(
      'after',
      `
Examples:
  $ clerk-rotator init mch_2xhF… --name prod/clerk/machines/billing
  $ clerk-rotator init mch_2xhF… --adopt prod/clerk/machines/billing \\
      --previous-key-ttl 3600 \\
      --rotation-function arn:aws:lambda:us-east-1:123456789012:function:clerk-rotator --schedule 30
${EXIT_CODES_HELP}`,
    )
    .action(
      run('init', (ctx: CliContext, [machineId]: string[], options: InitOptions) =>
        init(ctx, machineId ?? '', options),
      ),
    );
}
