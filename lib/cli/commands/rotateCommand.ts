import { type Command, Option } from 'commander';
import { Stage } from '../../constants.ts';
import { versionWithStage } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import { parseMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { confirmByTypingName } from '../confirmByTypingName.ts';
import type { SecretMetadata } from '../createOperatorSecretStore.ts';
import { diagnosePendingVersion, type PendingDiagnosis } from '../diagnosePendingVersion.ts';
import { EXIT_CODES_HELP, ExitCode } from '../ExitCode.ts';
import { CliErrorCode, OperationError, type ReasonCode } from '../errors.ts';
import { type FollowResult, followRotation, type RotationProgress } from '../followRotation.ts';
import { formatInstant, formatRelative } from '../formatTime.ts';
import { parseSecretId, positiveSecondsParser } from '../optionParsers.ts';
import { readSecretSnapshot } from '../readSecretSnapshot.ts';
import { readInstanceKeySecret, resolveInstanceKeySecret } from '../resolveInstanceKey.ts';
import { runbookLink } from '../runbookLink.ts';
import { type EmergencyTagReport, withEmergencyTags } from '../withEmergencyTags.ts';
import type { ActionRunner } from './ActionRunner.ts';

interface RotateOptions {
  readonly wait?: boolean;
  readonly timeout: number;
  readonly pollInterval: number;
  readonly emergency?: boolean;
  readonly yes?: boolean;
  readonly instanceKeySecret?: string;
}

interface RotationReport {
  readonly exitCode: ExitCode;
  readonly document: Record<string, unknown>;
}

const FAILURE_CODES: Record<Exclude<FollowResult, { outcome: 'promoted' }>['failure'], ReasonCode> = {
  timeout: CliErrorCode.rotationStuck,
  'version-gone': ErrorCode.versionNotStaged,
  'label-removed': ErrorCode.versionNotPending,
  cancelled: ErrorCode.rotationNotEnabled,
};

function stuckState(result: Extract<FollowResult, { outcome: 'failed' }>, versionId: string): string {
  switch (result.reached) {
    case undefined:
      return `RotateSecret was accepted but AWSPENDING never appeared on version ${versionId}`;
    case 'pending':
      return `createSecret: AWSPENDING is on version ${versionId}, which has no value (the new key was never staged)`;
    default:
      return `testSecret/finishSecret: the new key is staged on version ${versionId} but AWSCURRENT did not move`;
  }
}

async function diagnoseQuietly(
  ctx: CliContext,
  secretId: string,
  versionId: string,
  instanceKeyOption: string | undefined,
): Promise<{ diagnosis?: PendingDiagnosis; problem?: string }> {
  try {
    const store = ctx.store();
    const snapshot = await readSecretSnapshot(store, secretId);
    if (snapshot.pending?.versionId !== versionId) return {};
    const source = resolveInstanceKeySecret({ option: instanceKeyOption, tags: snapshot.tags, env: ctx.env });
    const instanceKey = source === undefined ? undefined : await readInstanceKeySecret(store, source);
    const diagnosis = await diagnosePendingVersion(
      { store, clerk: ctx.clerk() },
      { secretArn: snapshot.arn, versionId, current: snapshot.current, tags: snapshot.tags, instanceKey },
    );
    return { diagnosis };
  } catch (error) {
    return { problem: `the diagnosis itself failed: ${(error as Error).message}` };
  }
}

async function startAndFollow(
  ctx: CliContext,
  metadata: SecretMetadata,
  options: RotateOptions & { readonly emergency: boolean },
): Promise<RotationReport> {
  const { output } = ctx;
  const store = ctx.store();
  const previousVersionId = versionWithStage(metadata, Stage.current);
  const token = ctx.randomUUID();
  const started = await store.rotate({ secretId: metadata.arn, clientRequestToken: token, rotateImmediately: true });
  const versionId = started.versionId ?? token;
  const base = {
    secret: { name: metadata.name, arn: metadata.arn },
    versionId,
    previousVersionId: previousVersionId ?? null,
    emergency: options.emergency,
  };

  if (!options.wait) {
    output.line(`Rotation of ${metadata.name} started: version ${versionId} is AWSPENDING.`);
    output.line(
      `Follow it with \`${CliDefaults.programName} status ${metadata.name}\`, or rotate with --wait next time.`,
    );
    return { exitCode: ExitCode.ok, document: { ok: true, outcome: 'started', ...base } };
  }

  output.line(`Rotating ${metadata.name}: version ${versionId} (AWSCURRENT was ${previousVersionId ?? 'none'})`);
  const events: RotationProgress[] = [];
  const result = await followRotation(
    { store, clock: ctx.clock, sleep: ctx.sleep, signal: ctx.signal },
    {
      secretId: metadata.arn,
      versionId,
      previousVersionId,
      timeoutMs: options.timeout * 1000,
      pollIntervalMs: options.pollInterval * 1000,
      cleanupGraceMs: CliDefaults.pendingCleanupGraceSeconds * 1000,
      onProgress: (progress) => {
        events.push(progress);
        output.line(`  +${(progress.elapsedMs / 1000).toFixed(1).padStart(5)} s  ${progress.message}`);
      },
    },
  );
  const eventDocs = events.map((event) => ({
    milestone: event.milestone,
    elapsedMs: event.elapsedMs,
    message: event.message,
  }));

  if (result.outcome === 'promoted') {
    const now = ctx.clock.now();
    const value = await store.getValue(metadata.arn, { stage: Stage.current });
    let previousKeyExpiresAt: string | undefined;
    try {
      previousKeyExpiresAt = parseMachineSecret(
        value?.secretString,
        `AWSCURRENT of ${metadata.name}`,
      ).previousKeyExpiresAt;
    } catch {
      previousKeyExpiresAt = undefined;
    }
    output.line(
      output.styles.ok(`Rotated in ${(result.elapsedMs / 1000).toFixed(1)} s: AWSCURRENT is version ${versionId}.`),
    );
    if (previousKeyExpiresAt !== undefined) {
      const expires = Date.parse(previousKeyExpiresAt);
      output.line(
        expires > now
          ? `The previous key keeps working at Clerk until ${formatInstant(expires)} (${formatRelative(expires, now)}).`
          : `The previous key stopped working at Clerk at ${formatInstant(expires)}.`,
      );
    }
    if (result.leftoverPendingLabel) {
      output.line(
        output.styles.warn(
          `AWSPENDING is still on the new version after ${CliDefaults.pendingCleanupGraceSeconds} s; the next rotation or \`repair --apply\` removes it.`,
        ),
      );
    }
    return {
      exitCode: ExitCode.ok,
      document: {
        ok: true,
        outcome: 'promoted',
        ...base,
        elapsedMs: result.elapsedMs,
        previousKeyExpiresAt: previousKeyExpiresAt ?? null,
        leftoverPendingLabel: result.leftoverPendingLabel,
        events: eventDocs,
      },
    };
  }

  const { diagnosis, problem } =
    result.failure === 'timeout' || result.failure === 'cancelled'
      ? await diagnoseQuietly(ctx, metadata.arn, versionId, options.instanceKeySecret)
      : {};
  const code = diagnosis?.code ?? FAILURE_CODES[result.failure];
  const state = stuckState(result, versionId);
  const reason = diagnosis === undefined ? result.message : `${result.message}; ${diagnosis.reason}`;
  output.message(output.styles.bad(`error [${code}]: rotation of ${metadata.name} did not complete: ${reason}`));
  output.message(`  stuck in ${state}`);
  for (const finding of diagnosis?.findings ?? []) output.message(`  - ${finding}`);
  if (problem !== undefined) output.message(`  - ${problem}`);
  output.message(`  runbook: ${runbookLink(code)}`);
  if (result.failure === 'timeout' || result.failure === 'cancelled') {
    output.message(
      `  next: \`${CliDefaults.programName} repair ${metadata.name}\` shows the safe fix${diagnosis?.action === undefined ? '' : ` (${diagnosis.action})`}; add --apply to do it`,
    );
  }
  return {
    exitCode: ExitCode.failed,
    document: {
      ok: false,
      outcome: 'failed',
      ...base,
      failure: result.failure,
      code,
      reason,
      stuckIn: state,
      runbook: runbookLink(code),
      elapsedMs: result.elapsedMs,
      diagnosis: diagnosis ?? null,
      events: eventDocs,
    },
  };
}

async function rotate(ctx: CliContext, secretId: string, options: RotateOptions): Promise<ExitCode> {
  const { output } = ctx;
  const store = ctx.store();
  const metadata = await store.describe(secretId);
  if (metadata.rotationLambdaArn === undefined) {
    throw new OperationError(
      ErrorCode.rotationNotEnabled,
      `${metadata.name} has no rotation function; enable rotation first: ${CliDefaults.programName} init <machineId> --adopt ${metadata.name} --rotation-function <arn> --schedule <days>`,
    );
  }
  const current = versionWithStage(metadata, Stage.current);
  const pending = versionWithStage(metadata, Stage.pending);
  if (pending !== undefined && pending !== current) {
    throw new OperationError(
      CliErrorCode.rotationStuck,
      `a previous rotation of ${metadata.name} is not complete: AWSPENDING is on version ${pending}, and Secrets Manager refuses a new rotation until it is resolved; see \`${CliDefaults.programName} status ${metadata.name}\` and \`${CliDefaults.programName} repair ${metadata.name}\``,
    );
  }
  if (!metadata.rotationEnabled) {
    output.message(`note: automatic rotation of ${metadata.name} is off; RotateSecret turns it back on`);
  }

  let report: RotationReport;
  let tags: EmergencyTagReport | undefined;
  if (options.emergency) {
    if (!options.yes) {
      await confirmByTypingName(ctx, {
        name: metadata.name,
        given: secretId,
        command: 'rotate --emergency',
        warning: `EMERGENCY rotation of ${metadata.name}: the current key stops working at Clerk the moment the new one is issued (previous-key TTL 0). Every app that has not picked up the new key fails until it re-reads the secret.`,
      });
    }
    const emergency = await withEmergencyTags(ctx, metadata, () =>
      startAndFollow(ctx, metadata, { ...options, wait: true, emergency: true }),
    );
    report = emergency.result;
    tags = emergency.tags;
  } else {
    report = await startAndFollow(ctx, metadata, { ...options, emergency: false });
  }
  if (output.json) output.document({ ...report.document, ...(tags === undefined ? {} : { emergencyTags: tags }) });
  return report.exitCode;
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
      run('rotate', (ctx: CliContext, [secretId]: string[], options: RotateOptions) =>
        rotate(ctx, secretId ?? '', options),
      ),
    );
}
