import { type Command, Option } from 'commander';
import { TagKey } from '../../constants.ts';
import { assessSecret, type Verdict } from '../assessSecret.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import type { RotationRules } from '../createOperatorSecretStore.ts';
import type { Styles } from '../createOutput.ts';
import { EXIT_CODES_HELP, ExitCode } from '../ExitCode.ts';
import { formatWhen, isoOrNull } from '../formatTime.ts';
import { parseSecretId, secondsParser } from '../optionParsers.ts';
import { readSecretSnapshot, type SecretSnapshot } from '../readSecretSnapshot.ts';
import type { ActionRunner } from './ActionRunner.ts';

interface StatusOptions {
  readonly stuckAfter: number;
  readonly refreshWindow: number;
}

export const VERDICTS_HELP = `
Verdicts (from Secrets Manager's state and the secret's fields; no Clerk call):
  healthy               none of the below
  rotation in progress  AWSPENDING on a version other than AWSCURRENT, created less
                        than --stuck-after ago
  stuck AWSPENDING      the same, created --stuck-after or longer ago: the rotation
                        failed or was abandoned; new rotations are refused (run repair)
  overlap expired       AWSCURRENT's previousKeyExpiresAt has passed, and it is less than
                        --refresh-window since AWSCURRENT was staged (its rotatedAt):
                        apps that have not re-read the secret hold a dead key
  invalid value         AWSCURRENT has no value or is not the documented JSON
status exits 0 for healthy and rotation in progress, 1 for the others.`;

export function describeRules(rules: RotationRules | undefined): string {
  if (rules === undefined) return 'no schedule';
  const schedule =
    rules.automaticallyAfterDays !== undefined
      ? `every ${rules.automaticallyAfterDays} day${rules.automaticallyAfterDays === 1 ? '' : 's'}`
      : (rules.scheduleExpression ?? 'no schedule');
  return rules.duration === undefined ? schedule : `${schedule}, window ${rules.duration}`;
}

export function styleVerdict(styles: Styles, verdict: Verdict): string {
  if (verdict.state === 'healthy') return styles.ok(verdict.label);
  if (verdict.healthy) return styles.warn(verdict.label);
  return styles.bad(verdict.label);
}

export function statusDocument(snapshot: SecretSnapshot, verdict: Verdict) {
  const current = snapshot.current;
  return {
    secret: { name: snapshot.name, arn: snapshot.arn },
    machineId: current.ok ? current.secret.machineId : (snapshot.tags[TagKey.machineId] ?? null),
    rotation: {
      enabled: snapshot.rotationEnabled,
      functionArn: snapshot.rotationLambdaArn ?? null,
      rules: snapshot.rotationRules ?? null,
      lastRotatedAt: isoOrNull(snapshot.lastRotatedAt),
      nextRotationAt: isoOrNull(snapshot.nextRotationAt),
    },
    current: {
      versionId: snapshot.currentVersionId ?? null,
      valid: current.ok,
      rotatedAt: current.ok ? (current.secret.rotatedAt ?? null) : null,
      previousKeyExpiresAt: current.ok ? (current.secret.previousKeyExpiresAt ?? null) : null,
      error: current.ok ? null : { code: current.error.code, message: current.error.message },
    },
    pending: snapshot.pending
      ? {
          versionId: snapshot.pending.versionId,
          createdAt: isoOrNull(snapshot.pending.createdAt),
          hasValue: snapshot.pending.hasValue,
        }
      : null,
    leftoverPendingLabel: snapshot.leftoverPendingLabel,
    versions: snapshot.versions.map((version) => ({
      versionId: version.versionId,
      stages: version.stages,
      createdAt: isoOrNull(version.createdAt),
    })),
    tags: snapshot.tags,
    verdict: {
      state: verdict.state,
      healthy: verdict.healthy,
      label: verdict.label,
      detail: verdict.detail,
      code: verdict.code ?? null,
      runbook: verdict.runbook ?? null,
      notes: verdict.notes,
    },
  };
}

function printStatus(ctx: CliContext, snapshot: SecretSnapshot, verdict: Verdict): void {
  const { output } = ctx;
  const { styles } = output;
  const now = ctx.clock.now();
  const row = (label: string, value: string) => output.line(`  ${label.padEnd(15)}${value}`);
  const current = snapshot.current;

  output.line(styles.bold(snapshot.name));
  row('arn', snapshot.arn);
  row('machine', current.ok ? current.secret.machineId : (snapshot.tags[TagKey.machineId] ?? 'unknown'));
  const rotation = snapshot.rotationEnabled
    ? `enabled, ${describeRules(snapshot.rotationRules)}`
    : snapshot.rotationLambdaArn === undefined
      ? 'not configured'
      : 'disabled';
  row('rotation', rotation);
  row('function', snapshot.rotationLambdaArn ?? 'none');
  row('last rotated', snapshot.lastRotatedAt === undefined ? 'never' : formatWhen(snapshot.lastRotatedAt, now));
  row(
    'next rotation',
    snapshot.nextRotationAt === undefined ? 'none scheduled' : formatWhen(snapshot.nextRotationAt, now),
  );
  if (current.ok) {
    const { rotatedAt, previousKeyExpiresAt } = current.secret;
    row(
      'rotatedAt',
      rotatedAt === undefined ? 'not set (never rotated by the function)' : formatWhen(Date.parse(rotatedAt), now),
    );
    row(
      'previous key',
      previousKeyExpiresAt === undefined
        ? 'no previousKeyExpiresAt recorded'
        : `${Date.parse(previousKeyExpiresAt) > now ? 'works until' : 'stopped working at'} ${formatWhen(Date.parse(previousKeyExpiresAt), now)}`,
    );
  }
  output.line('  versions');
  for (const version of snapshot.versions) {
    const created = version.createdAt === undefined ? '' : `created ${formatWhen(version.createdAt, now)}`;
    output.line(`    ${version.versionId}  ${version.stages.join(',').padEnd(23)} ${created}`.trimEnd());
  }
  const tags = Object.entries(snapshot.tags).sort(([a], [b]) => a.localeCompare(b));
  if (tags.length === 0) row('tags', 'none');
  else output.line('  tags');
  for (const [key, value] of tags) output.line(`    ${key} = ${value}`);
  output.line();
  output.line(`verdict: ${styleVerdict(styles, verdict)}`);
  output.line(`  ${verdict.detail}`);
  if (verdict.runbook !== undefined) output.line(`  runbook: ${verdict.runbook}`);
  for (const note of verdict.notes) output.line(styles.dim(`  note: ${note}`));
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
      run('status', async (ctx: CliContext, [secretId]: string[], options: StatusOptions) => {
        const snapshot = await readSecretSnapshot(ctx.store(), secretId ?? '');
        const verdict = assessSecret(snapshot, {
          now: ctx.clock.now(),
          stuckAfterMs: options.stuckAfter * 1000,
          refreshWindowMs: options.refreshWindow * 1000,
        });
        if (ctx.output.json) ctx.output.document(statusDocument(snapshot, verdict));
        else printStatus(ctx, snapshot, verdict);
        return verdict.healthy ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
