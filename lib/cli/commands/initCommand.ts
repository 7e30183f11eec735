import { type Command, Option } from 'commander';
import { Stage, TagKey } from '../../constants.ts';
import { type RotationRules, type SecretStore, versionWithStage } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import type { Redacted } from '../../Redacted.ts';
import { type MachineSecret, parseMachineSecret, serializeMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { type BindingProof, confirmMachineBinding } from '../confirmMachineBinding.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
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
import { type InitReport, initView } from './initReport.ts';

interface InitOptions {
  readonly name?: string;
  readonly adopt?: string;
  readonly instanceKeySecret?: string;
  readonly previousKeyTtl?: number;
  readonly rotationFunction?: string;
  readonly schedule?: RotationRules;
  readonly showKey?: boolean;
}

/** The secret init writes into, and (adopted) its value and binding before. */
interface Target {
  readonly arn: string;
  readonly name: string;
  readonly secretString: string | undefined;
  /** Whether it already carried the `clerk-rotator:machine-id` tag (of this machine). */
  readonly bound: boolean;
  /** The key its value holds for the machine, if it holds one. */
  readonly valueKey: Redacted | undefined;
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

function checkOptions(options: InitOptions): void {
  if (options.name === undefined && options.adopt === undefined) {
    throw new UsageError(
      'init needs a target and got none: --name <secretName> creates a new secret, --adopt <existingSecret> writes into an existing one',
      'init',
    );
  }
  if ((options.rotationFunction === undefined) !== (options.schedule === undefined)) {
    const given = options.rotationFunction === undefined ? '--schedule' : '--rotation-function';
    throw new UsageError(
      `--rotation-function and --schedule go together (the function to rotate with and how often), got only ${given}`,
      'init',
    );
  }
}

/** The secret to adopt, if it is safe to: no rotation pending, not bound to another machine. */
async function readAdoptTarget(store: SecretStore, secretId: string, machineId: string): Promise<Target> {
  const metadata = await store.describeSecret(secretId);
  const pending = versionWithStage(metadata, Stage.pending);
  const current = versionWithStage(metadata, Stage.current);
  if (pending !== undefined && pending !== current) {
    throw new OperationError(
      CliErrorCode.rotationStuck,
      `${metadata.name} has a rotation pending: AWSPENDING is on version ${pending}, not on AWSCURRENT (${current ?? 'none'}); init --adopt needs no pending rotation`,
    );
  }
  const taggedMachine = metadata.tags[TagKey.machineId];
  if (taggedMachine !== undefined && taggedMachine !== machineId) {
    throw new OperationError(
      ErrorCode.machineMismatch,
      `${metadata.name} is tagged ${TagKey.machineId}=${taggedMachine}, not ${machineId}; init --adopt writes only into a secret of the same machine or an untagged one`,
    );
  }
  const value = await store.getSecretVersion(metadata.arn, { stage: Stage.current });
  const target = { arn: metadata.arn, name: metadata.name, secretString: value?.secretString };
  return { ...target, bound: taggedMachine !== undefined, valueKey: heldKey(target, machineId) };
}

/** The key the adopted value holds for the machine, if any; refuses a value that is another machine's secret. */
function heldKey(target: Pick<Target, 'name' | 'secretString'>, machineId: string): Redacted | undefined {
  let held: MachineSecret;
  try {
    held = parseMachineSecret(target.secretString, `AWSCURRENT of ${target.name}`);
  } catch {
    // Not a machine secret yet (a placeholder, another format): it is replaced, its other JSON fields kept.
    return undefined;
  }
  if (held.machineId !== machineId) {
    throw new OperationError(
      ErrorCode.machineMismatch,
      `${target.name} holds a key for ${held.machineId}, not ${machineId}; init --adopt writes only into a secret of the same machine or a value that is not a machine secret`,
    );
  }
  return held.secretKey;
}

function tagsFor(machineId: string, options: InitOptions, instanceKeySecretId: string): Record<string, string> {
  const tags: Record<string, string> = { [TagKey.machineId]: machineId };
  if (options.previousKeyTtl !== undefined) tags[TagKey.previousKeyTtlSeconds] = String(options.previousKeyTtl);
  if (options.instanceKeySecret !== undefined) tags[TagKey.instanceKeySecretId] = instanceKeySecretId;
  return tags;
}

async function enableRotation(
  ctx: CliContext,
  target: Pick<Target, 'arn' | 'name'>,
  machineId: string,
  options: InitOptions,
) {
  if (options.rotationFunction === undefined || options.schedule === undefined) return false;
  try {
    await ctx.operatorCalls().configureRotation({
      secretId: target.arn,
      rotationLambdaArn: options.rotationFunction,
      rules: options.schedule,
    });
  } catch (error) {
    ctx.output.message(
      `note: ${target.name} holds Clerk's current key for ${machineId} and is tagged; only enabling rotation failed (init --adopt ${target.name} repeats it)`,
    );
    throw error;
  }
  return true;
}

/**
 * Clerk's current key for the machine. An adopted secret without its binding tag is bound only once Clerk confirms
 * the machine (it exists, and the key the value holds is Clerk's current key or still accepted).
 */
async function readClerkKey(
  ctx: CliContext,
  instanceKey: Redacted,
  machineId: string,
  adopted: Target | undefined,
): Promise<{ key: Redacted; bindingAdded: BindingProof | undefined }> {
  if (adopted === undefined || adopted.bound) {
    return { key: await ctx.clerk().getMachineSecretKey(instanceKey, machineId), bindingAdded: undefined };
  }
  const { valueKey } = adopted;
  const confirmed = await confirmMachineBinding(ctx.clerk(), instanceKey, {
    secretName: adopted.name,
    machineId,
    valueKey,
  });
  return { key: confirmed.clerkKey, bindingAdded: confirmed.proof };
}

/** Writes the value (unless the adopted secret already holds Clerk's key) and the tags. */
async function writeSecret(
  ctx: CliContext,
  input: {
    readonly name: string;
    readonly adopted: Target | undefined;
    readonly secretString: string;
    readonly key: Redacted;
    readonly tags: Record<string, string>;
  },
): Promise<{ target: Pick<Target, 'arn' | 'name'>; versionId: string | undefined }> {
  const { adopted, secretString, tags } = input;
  if (adopted === undefined) {
    const created = await ctx.operatorCalls().createSecret({ name: input.name, secretString, tags });
    return { target: created, versionId: created.versionId };
  }
  const holds = adopted.valueKey?.equals(input.key) ?? false;
  const versionId = holds
    ? undefined
    : (await ctx.operatorCalls().putCurrentValue(adopted.arn, secretString)).versionId;
  await ctx.store().tagSecret(adopted.arn, tags);
  return { target: adopted, versionId };
}

/**
 * Stores Clerk's current key for the machine in a new or an adopted secret, tags it (binding an untagged adopted
 * secret once Clerk confirmed the machine), optionally enables rotation, and reports the secret's rotation as
 * Secrets Manager has it afterwards.
 */
async function init(ctx: CliContext, machineId: string, options: InitOptions): Promise<InitReport> {
  checkOptions(options);
  const instanceKeySecret = resolveInstanceKeySecret({ option: options.instanceKeySecret, env: ctx.env });
  if (instanceKeySecret === undefined) throw new UsageError(INSTANCE_KEY_MISSING, 'init');
  const store = ctx.store();
  const adopted = options.adopt === undefined ? undefined : await readAdoptTarget(store, options.adopt, machineId);
  const instanceKey = await readInstanceKeySecret(store, instanceKeySecret);
  const { key, bindingAdded } = await readClerkKey(ctx, instanceKey, machineId, adopted);
  const secretString = serializeMachineSecret({ machineId, secretKey: key, extra: extraFields(adopted?.secretString) });
  const tags = tagsFor(machineId, options, instanceKeySecret.secretId);
  const { target, versionId } = await writeSecret(ctx, {
    name: options.name ?? '',
    adopted,
    secretString,
    key,
    tags,
  });
  const rotationConfiguredNow = await enableRotation(ctx, target, machineId, options);
  return {
    action: adopted === undefined ? 'created' : 'adopted',
    secret: { name: target.name, arn: target.arn },
    machineId,
    versionId,
    tags,
    bindingAdded,
    rotation: await store.describeSecret(target.arn),
    rotationConfiguredNow,
    revealedKey: options.showKey ? key : undefined,
  };
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
      run('init', async (ctx: CliContext, [machineId]: string[], options: InitOptions) =>
        ctx.output.render(initView(await init(ctx, machineId ?? '', options))),
      ),
    );
}
