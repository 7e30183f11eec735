import { type Command, Option } from 'commander';
import { Stage, TagKey } from '../../constants.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { diagnoseSnapshotPending, type PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { EXIT_CODES_HELP } from '../ExitCode.ts';
import { CliErrorCode, OperationError, UsageError } from '../errors.ts';
import { formatDuration } from '../formatTime.ts';
import { parseSecretId, secondsParser } from '../optionParsers.ts';
import { readFunctionLog } from '../readFunctionLog.ts';
import { type PendingVersion, readSecretSnapshot, type SecretSnapshot } from '../readSecretSnapshot.ts';
import { INSTANCE_KEY_MISSING } from '../resolveInstanceKey.ts';
import { readRotatesInFlight, rotateInFlightRefusal } from '../rotatesInFlight.ts';
import type { ActionRunner } from './ActionRunner.ts';
import { diagnoseBinding, type MissingBinding } from './repairBinding.ts';
import { type RepairChange, type RepairReport, repairView, type StageChange } from './repairReport.ts';

interface RepairOptions {
  readonly apply?: boolean;
  readonly stuckAfter: number;
  readonly instanceKeySecret?: string;
}

function planFor(snapshot: SecretSnapshot, diagnosis: PendingDiagnosis | undefined): StageChange[] {
  if (diagnosis === undefined) {
    // AWSPENDING left on the current version: only the label goes.
    return [
      {
        kind: 'stage',
        description: `remove the leftover AWSPENDING label from the current version ${snapshot.currentVersionId}`,
        stage: Stage.pending,
        removeFromVersionId: snapshot.currentVersionId ?? '',
      },
    ];
  }
  const removePending: StageChange = {
    kind: 'stage',
    description: `remove AWSPENDING from version ${diagnosis.versionId}`,
    stage: Stage.pending,
    removeFromVersionId: diagnosis.versionId,
  };
  if (diagnosis.action !== 'promote') return [removePending];
  return [
    {
      kind: 'stage',
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

/** Refuses a pending version younger than --stuck-after, then diagnoses it; promotion needs the instance key. */
async function diagnoseStuck(
  ctx: CliContext,
  snapshot: SecretSnapshot & { readonly pending: PendingVersion },
  options: RepairOptions,
): Promise<PendingDiagnosis> {
  const since = snapshot.pending.createdAt ?? snapshot.lastChangedDate;
  const age = since === undefined ? Number.POSITIVE_INFINITY : ctx.clock.now() - since;
  if (age < options.stuckAfter * 1000) {
    throw new OperationError(
      CliErrorCode.rotationStuck,
      `a rotation of ${snapshot.name} looks in progress: AWSPENDING was put on version ${snapshot.pending.versionId} ${formatDuration(age)} ago, less than --stuck-after ${options.stuckAfter} s; repair acts only on older pending versions (--stuck-after 0 when you know it has stopped)`,
    );
  }
  const diagnosis = await diagnoseSnapshotPending(ctx, snapshot, options.instanceKeySecret);
  if (diagnosis.action === undefined) {
    throw new UsageError(
      `repair must read Clerk's current key to decide, and there is ${INSTANCE_KEY_MISSING}`,
      'repair',
    );
  }
  return diagnosis;
}

/** Makes the changes in order; in text, what was done before a failure is printed before the error. */
async function applyPlan(ctx: CliContext, report: RepairReport): Promise<RepairReport> {
  const store = ctx.store();
  const done: RepairChange[] = [];
  try {
    for (const change of report.plan) {
      if (change.kind === 'tag') await store.tagSecret(report.secret.arn, change.tags);
      else {
        await store.updateStage({
          secretId: report.secret.arn,
          stage: change.stage,
          ...(change.moveToVersionId === undefined ? {} : { moveToVersionId: change.moveToVersionId }),
          ...(change.removeFromVersionId === undefined ? {} : { removeFromVersionId: change.removeFromVersionId }),
        });
      }
      done.push(change);
    }
  } catch (error) {
    if (!ctx.output.json) ctx.output.render(repairView({ ...report, done }));
    throw error;
  }
  return { ...report, done };
}

function bindingChange(binding: MissingBinding): RepairChange {
  return {
    kind: 'tag',
    description: `tag the secret ${TagKey.machineId}=${binding.machineId}: bind it to its machine`,
    tags: { [TagKey.machineId]: binding.machineId },
  };
}

/** Refuses while a rotate recorded on the secret may still land: removing AWSPENDING then could let a second one happen. */
async function refuseWhileRotateInFlight(ctx: CliContext, snapshot: SecretSnapshot): Promise<void> {
  const now = ctx.clock.now();
  const horizonSeconds = ctx.functionSettings().rotateLandingHorizonSeconds;
  const [inFlight] = await readRotatesInFlight(ctx.store(), snapshot, { now, horizonSeconds });
  if (inFlight !== undefined) throw rotateInFlightRefusal(snapshot.name, inFlight, now, 'repair');
}

/**
 * Diagnoses the secret — its binding tag, then AWSPENDING — and plans the safe fix: the binding tag once Clerk
 * confirmed the machine, then promote or remove the label; with --apply, makes the changes. Nothing while a recorded
 * rotate may still land.
 */
async function repair(ctx: CliContext, secretId: string, options: RepairOptions): Promise<RepairReport> {
  const snapshot = await readSecretSnapshot(ctx.store(), secretId);
  await refuseWhileRotateInFlight(ctx, snapshot);
  const binding = await diagnoseBinding(ctx, snapshot, options.instanceKeySecret);
  const { pending } = snapshot;
  const base = {
    secret: { name: snapshot.name, arn: snapshot.arn },
    binding,
    currentVersionId: snapshot.currentVersionId,
    pendingSince: pending?.createdAt,
    diagnosis: undefined,
    functionLog: undefined,
    plan: [],
    apply: options.apply === true,
    done: [],
    next: undefined,
    now: ctx.clock.now(),
  };
  const labelled = pending !== undefined || snapshot.leftoverPendingLabel;
  if (!labelled && binding === undefined) return { ...base, state: 'clean', apply: false };

  const diagnosis = pending === undefined ? undefined : await diagnoseStuck(ctx, { ...snapshot, pending }, options);
  const functionLog =
    pending === undefined
      ? undefined
      : await readFunctionLog({
          path: ctx.functionLogPath,
          functionArn: snapshot.rotationLambdaArn,
          secretArn: snapshot.arn,
          versionId: pending.versionId,
        });
  const report: RepairReport = {
    ...base,
    state: !labelled ? 'unbound' : diagnosis === undefined ? 'leftover-pending-label' : 'stuck-pending',
    diagnosis,
    functionLog,
    plan: [
      ...(binding === undefined ? [] : [bindingChange(binding)]),
      ...(labelled ? planFor(snapshot, diagnosis) : []),
    ],
    next: labelled ? nextStep(snapshot, diagnosis) : undefined,
  };
  return report.apply ? applyPlan(ctx, report) : report;
}

export function registerRepairCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('repair')
    .description(
      "Dry run unless --apply. Diagnose a stuck rotation (AWSPENDING on a version that is not AWSCURRENT) and fix it safely: promote the pending version when its key works and is Clerk's current key, otherwise remove the AWSPENDING label; bind a secret without its clerk-rotator:machine-id tag once Clerk confirms the machine. Nothing while a recorded rotate may still land.",
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
  bind          no clerk-rotator:machine-id tag: add it, once Clerk confirms the machine
                (it exists, and the value's key is its current key or still accepted);
                MACHINE_MISMATCH otherwise. A tag naming another machine than the value
                is refused (MACHINE_BINDING_INVALID): repair never moves a binding
  promote       the pending key authenticates at Clerk and is Clerk's current key:
                move AWSCURRENT to it (RemoveFromVersionId = the current version), then
                remove AWSPENDING
  remove label  anything else (no value, another machine, rejected, stale): remove
                AWSPENDING; the next rotation's createSecret adopts Clerk's current key,
                so no key Clerk issued is lost and Clerk is not rotated twice
A leftover AWSPENDING on the AWSCURRENT version is removed too. While a rotate recorded
on the secret may still land (its landing horizon), repair changes nothing
(ROTATE_IN_FLIGHT, with the time from which it may act).
${EXIT_CODES_HELP}`,
    )
    .action(
      run('repair', async (ctx: CliContext, [secretId]: string[], options: RepairOptions) =>
        ctx.output.render(repairView(await repair(ctx, secretId ?? '', options))),
      ),
    );
}
