import { TagKey } from '../../constants.ts';
import type { Verdict } from '../assessSecret.ts';
import { type Line, type ReportView, type Segment, tone } from '../createOutput.ts';
import { describeRotation, rotationDocument } from '../describeRotation.ts';
import { ExitCode } from '../ExitCode.ts';
import { formatWhen, isoOrNull } from '../formatTime.ts';
import { functionLogDocument, functionLogLines } from '../functionLogView.ts';
import type { FunctionLogReport } from '../readFunctionLog.ts';
import type { SecretSnapshot } from '../readSecretSnapshot.ts';
import { describeRotateInFlight, type RotateInFlight } from '../rotatesInFlight.ts';

/** Where a secret stands: what Secrets Manager holds, the verdict on it, and what the function logged for a pending rotation. */
export interface StatusReport {
  readonly snapshot: SecretSnapshot;
  readonly verdict: Verdict;
  readonly now: number;
  /** For a pending version: the step errors the rotation function recorded for it, or where they are. */
  readonly functionLog: FunctionLogReport | undefined;
  /** Rotates recorded on the secret (tags `clerk-rotator:rotate-sent:…`) that may still land at Clerk. */
  readonly rotatesInFlight: readonly RotateInFlight[];
}

export function verdictSegment(verdict: Verdict): Segment {
  if (verdict.state === 'healthy') return tone.ok(verdict.label);
  if (verdict.healthy) return tone.warn(verdict.label);
  return tone.bad(verdict.label);
}

export function statusDocument(snapshot: SecretSnapshot, verdict: Verdict) {
  const current = snapshot.current;
  return {
    secret: { name: snapshot.name, arn: snapshot.arn },
    machineId: current.ok ? current.secret.machineId : (snapshot.tags[TagKey.machineId] ?? null),
    rotation: rotationDocument(snapshot),
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

function secretLines(snapshot: SecretSnapshot, now: number): Line[] {
  const row = (label: string, value: string): Line => `  ${label.padEnd(15)}${value}`;
  const current = snapshot.current;
  const lines: Line[] = [
    [tone.bold(snapshot.name)],
    row('arn', snapshot.arn),
    row('machine', current.ok ? current.secret.machineId : (snapshot.tags[TagKey.machineId] ?? 'unknown')),
    row('rotation', describeRotation(snapshot)),
    row('function', snapshot.rotationLambdaArn ?? 'none'),
    row('last rotated', snapshot.lastRotatedDate === undefined ? 'never' : formatWhen(snapshot.lastRotatedDate, now)),
    row(
      'next rotation',
      snapshot.nextRotationDate === undefined ? 'none scheduled' : formatWhen(snapshot.nextRotationDate, now),
    ),
  ];
  if (current.ok) {
    const { rotatedAt, previousKeyExpiresAt } = current.secret;
    const expires = previousKeyExpiresAt === undefined ? undefined : Date.parse(previousKeyExpiresAt);
    lines.push(
      row(
        'rotatedAt',
        rotatedAt === undefined ? 'not set (never rotated by the function)' : formatWhen(Date.parse(rotatedAt), now),
      ),
      row(
        'previous key',
        expires === undefined
          ? 'no previousKeyExpiresAt recorded'
          : `${expires > now ? 'works until' : 'stopped working at'} ${formatWhen(expires, now)}`,
      ),
    );
  }
  lines.push('  versions');
  for (const version of snapshot.versions) {
    const created = version.createdAt === undefined ? '' : `created ${formatWhen(version.createdAt, now)}`;
    lines.push(`    ${version.versionId}  ${version.stages.join(',').padEnd(23)} ${created}`.trimEnd());
  }
  const tags = Object.entries(snapshot.tags).sort(([a], [b]) => a.localeCompare(b));
  lines.push(tags.length === 0 ? row('tags', 'none') : '  tags');
  for (const [key, value] of tags) lines.push(`    ${key} = ${value}`);
  return lines;
}

function inFlightLines(report: StatusReport): Line[] {
  if (report.rotatesInFlight.length === 0) return [];
  return [
    '  rotates in flight (nothing rotates, adopts or repairs before their landing horizon ends)',
    ...report.rotatesInFlight.map((rotate) => [tone.warn(`    ${describeRotateInFlight(rotate, report.now)}`)]),
  ];
}

function verdictLines(report: StatusReport): Line[] {
  const { verdict, functionLog } = report;
  const lines: Line[] = ['', ['verdict: ', verdictSegment(verdict)], `  ${verdict.detail}`];
  if (verdict.runbook !== undefined) lines.push(`  runbook: ${verdict.runbook}`);
  // A stuck rotation always says where its errors are; one in progress only when errors were already recorded.
  const recorded = functionLog?.source === 'file' && (functionLog.recorded > 0 || functionLog.problem !== undefined);
  if (functionLog !== undefined && (verdict.state === 'stuck-pending' || recorded)) {
    lines.push(...functionLogLines(functionLog));
  }
  for (const note of verdict.notes) lines.push([tone.dim(`  note: ${note}`)]);
  return lines;
}

export function statusView(report: StatusReport): ReportView {
  return {
    exitCode: report.verdict.healthy ? ExitCode.ok : ExitCode.failed,
    lines: [...secretLines(report.snapshot, report.now), ...inFlightLines(report), ...verdictLines(report)],
    document: {
      ...statusDocument(report.snapshot, report.verdict),
      rotatesInFlight: report.rotatesInFlight.map((rotate) => ({
        versionId: rotate.versionId,
        sentAt: isoOrNull(rotate.sentAt),
        until: isoOrNull(rotate.until),
      })),
      functionLog: report.functionLog === undefined ? null : functionLogDocument(report.functionLog),
    },
  };
}
