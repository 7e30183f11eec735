import { type Command, Option } from 'commander';
import { Stage } from '../../constants.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { diagnosePendingVersion, type PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { EXIT_CODES_HELP, ExitCode } from '../ExitCode.ts';
import { CliErrorCode, OperationError, UsageError } from '../errors.ts';
import { formatDuration, formatWhen } from '../formatTime.ts';
import { parseSecretId, secondsParser } from '../optionParsers.ts';
import { readSecretSnapshot, type SecretSnapshot } from '../readSecretSnapshot.ts';
import { INSTANCE_KEY_MISSING, readInstanceKeySecret, resolveInstanceKeySecret } from '../resolveInstanceKey.ts';
import { runbookLink } from '../runbookLink.ts';
import type { ActionRunner } from './ActionRunner.ts';

interface RepairOptions {
  readonly apply?: boolean;
  readonly stuckAfter: number;
  readonly instanceKeySecret?: string;
}

/** One UpdateSecretVersionStage call of the plan. */
interface StageChange {
  readonly description: string;
  readonly stage: string;
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

function awsCliEquivalent(arn: string, change: StageChange): string {
  return [
    `aws secretsmanager update-secret-version-stage --secret-id ${arn} --version-stage ${change.stage}`,
    change.moveToVersionId === undefined ? '' : ` --move-to-version-id ${change.moveToVersionId}`,
    change.removeFromVersionId === undefined ? '' : ` --remove-from-version-id ${change.removeFromVersionId}`,
  ].join('');
}

function planFor(snapshot: SecretSnapshot, diagnosis: PendingDiagnosis | undefined): StageChange[] {
  if (diagnosis === undefined) {
    // AWSPENDING left on the current version: only the label goes.
    return [
      {
        description: `remove the leftover AWSPENDING label from the current version ${snapshot.currentVersionId}`,
        stage: Stage.pending,
        removeFromVersionId: snapshot.currentVersionId ?? '',
      },
    ];
  }
  const removePending: StageChange = {
    description: `remove AWSPENDING from version ${diagnosis.versionId}`,
    stage: Stage.pending,
    removeFromVersionId: diagnosis.versionId,
  };
  if (diagnosis.action !== 'promote') return [removePending];
  return [
    {
      description: `move AWSCURRENT from version ${snapshot.currentVersionId ?? 'none'} to ${diagnosis.versionId} (AWSPREVIOUS follows)`,
      stage: Stage.current,
      moveToVersionId: diagnosis.versionId,
      ...(snapshot.currentVersionId === undefined ? {} : { removeFromVersionId: snapshot.currentVersionId }),
    },
    removePending,
  ];
}

function nextStep(snapshot: SecretSnapshot, diagnosis: PendingDiagnosis | undefined): string | undefined {
  if (diagnosis === undefined || diagnosis.action === 'promote') return undefined;
  const rotate = `\`${CliDefaults.programName} rotate ${snapshot.name} --wait\``;
  return diagnosis.clerkHoldsUnstoredKey
    ? `then run ${rotate} soon: its createSecret adopts the key Clerk already holds (no second rotate at Clerk)`
    : `then rotate again when ready: ${rotate}`;
}

async function repair(ctx: CliContext, secretId: string, options: RepairOptions): Promise<ExitCode> {
  const { output } = ctx;
  const store = ctx.store();
  const snapshot = await readSecretSnapshot(store, secretId);
  const now = ctx.clock.now();

  if (snapshot.pending === undefined && !snapshot.leftoverPendingLabel) {
    if (output.json) {
      output.document({
        ok: true,
        secret: { name: snapshot.name, arn: snapshot.arn },
        state: 'clean',
        plan: [],
        applied: false,
      });
    } else {
      output.line(`Nothing to repair: ${snapshot.name} has no AWSPENDING label.`);
    }
    return ExitCode.ok;
  }

  let diagnosis: PendingDiagnosis | undefined;
  if (snapshot.pending !== undefined) {
    const since = snapshot.pending.createdAt ?? snapshot.lastChangedAt;
    const age = since === undefined ? Number.POSITIVE_INFINITY : now - since;
    if (age < options.stuckAfter * 1000) {
      throw new OperationError(
        CliErrorCode.rotationStuck,
        `a rotation of ${snapshot.name} looks in progress: AWSPENDING was put on version ${snapshot.pending.versionId} ${formatDuration(age)} ago, less than --stuck-after ${options.stuckAfter} s; repairing now could race the rotation function. Wait, or pass --stuck-after 0 if you know it has stopped`,
      );
    }
    const source = resolveInstanceKeySecret({ option: options.instanceKeySecret, tags: snapshot.tags, env: ctx.env });
    const instanceKey = source === undefined ? undefined : await readInstanceKeySecret(store, source);
    diagnosis = await diagnosePendingVersion(
      { store, clerk: ctx.clerk() },
      {
        secretArn: snapshot.arn,
        versionId: snapshot.pending.versionId,
        current: snapshot.current,
        tags: snapshot.tags,
        instanceKey,
      },
    );
    if (diagnosis.action === undefined) {
      throw new UsageError(
        `repair must read Clerk's current key to decide, and there is ${INSTANCE_KEY_MISSING}`,
        'repair',
      );
    }
  }

  const plan = planFor(snapshot, diagnosis);
  const next = nextStep(snapshot, diagnosis);
  const apply = options.apply === true;
  const { styles } = output;

  if (!output.json) {
    output.line(`Diagnosis of ${snapshot.name}:`);
    if (diagnosis === undefined) {
      output.line(
        `  AWSPENDING is left on the current version ${snapshot.currentVersionId} (finishSecret stopped between its two calls)`,
      );
    } else {
      output.line(
        `  AWSPENDING on version ${diagnosis.versionId}, not AWSCURRENT (${snapshot.currentVersionId ?? 'none'}), since ${snapshot.pending?.createdAt === undefined ? 'an unknown time' : formatWhen(snapshot.pending.createdAt, now)}`,
      );
      for (const finding of diagnosis.findings) output.line(`  - ${finding}`);
      output.line(`  reason [${diagnosis.code}]: ${diagnosis.reason}`);
      output.line(`  runbook: ${runbookLink(diagnosis.code)}`);
    }
    output.line(apply ? 'Repair:' : `Plan (dry run: nothing is changed; add --apply to do it):`);
    plan.forEach((change, index) => {
      output.line(`  ${index + 1}. ${change.description}`);
      output.line(styles.dim(`     ${awsCliEquivalent(snapshot.arn, change)}`));
    });
  }

  if (apply) {
    for (const change of plan) {
      await store.updateStage({
        secretId: snapshot.arn,
        stage: change.stage,
        ...(change.moveToVersionId === undefined ? {} : { moveToVersionId: change.moveToVersionId }),
        ...(change.removeFromVersionId === undefined ? {} : { removeFromVersionId: change.removeFromVersionId }),
      });
      output.line(styles.ok(`  done: ${change.description}`));
    }
  }
  if (next !== undefined)
    output.line(apply ? `Next: ${next.replace(/^then /, '')}` : `After --apply: ${next.replace(/^then /, '')}`);

  if (output.json) {
    output.document({
      ok: true,
      secret: { name: snapshot.name, arn: snapshot.arn },
      state: diagnosis === undefined ? 'leftover-pending-label' : 'stuck-pending',
      currentVersionId: snapshot.currentVersionId ?? null,
      diagnosis: diagnosis === undefined ? null : { ...diagnosis, runbook: runbookLink(diagnosis.code) },
      plan: plan.map((change) => ({ ...change, awsCli: awsCliEquivalent(snapshot.arn, change) })),
      applied: apply,
      next: next ?? null,
    });
  }
  return ExitCode.ok;
}

export function registerRepairCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('repair')
    .description(
      "Diagnose a stuck rotation (AWSPENDING on a version that is not AWSCURRENT) and fix it safely: promote the pending version when its key works and is Clerk's current key, otherwise remove the AWSPENDING label. Dry run unless --apply.",
    )
    .argument('<secret>', 'the machine secret (name or ARN)', parseSecretId)
    .option('--apply', 'make the changes (default: print what would be done)')
    .addOption(
      new Option('--stuck-after <seconds>', 'refuse while AWSPENDING is younger than this (a rotation may be running)')
        .default(CliDefaults.stuckAfterSeconds)
        .argParser(secondsParser(0)),
    )
    .option(
      '--instance-key-secret <id>',
      'the secret holding the Clerk instance key (default: the secret tag clerk-rotator:instance-key-secret-id, then env CLERK_SECRET_KEY_SECRET_ID)',
    )
    .addHelpText(
      'after',
      `
Decision:
  promote       the pending key authenticates at Clerk and is Clerk's current key:
                move AWSCURRENT to it (RemoveFromVersionId = the current version), then
                remove AWSPENDING
  remove label  anything else (no value, another machine, rejected, stale): remove
                AWSPENDING; the next rotation's createSecret adopts Clerk's current key,
                so no key Clerk issued is lost and Clerk is not rotated twice
A leftover AWSPENDING on the AWSCURRENT version is removed too.
${EXIT_CODES_HELP}`,
    )
    .action(
      run('repair', (ctx: CliContext, [secretId]: string[], options: RepairOptions) =>
        repair(ctx, secretId ?? '', options),
      ),
    );
}
