import type { HealState, SecretVerdict, VerificationOutcome } from '../../verification/SecretVerdict.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { type Line, type Segment, tone } from '../createOutput.ts';
import { formatInstant } from '../formatTime.ts';
import { runbookLink } from '../runbookLink.ts';

/** In sync, or a rotation that decides for itself: every other outcome makes `verify` exit 1. */
export function isHealthy(verdict: SecretVerdict): boolean {
  return verdict.outcome === 'in-sync' || verdict.outcome === 'rotation-in-progress';
}

/** The outcome in its tone, padded to `width` (a column of a list). */
export function outcomeSegment(outcome: VerificationOutcome, width = 0): Segment {
  const text = outcome.padEnd(width);
  if (outcome === 'in-sync') return tone.ok(text);
  if (outcome === 'rotation-in-progress') return tone.warn(text);
  return tone.bad(text);
}

/** What was done about drift, in words. */
export function describeHeal(heal: HealState): string {
  switch (heal.state) {
    case 'started':
      return `started rotation ${heal.versionId ?? '(version not reported)'}: its createSecret adopts Clerk's key (no new rotate at Clerk)`;
    case 'waiting':
      return `waiting: a rotate recorded on the secret may still land until ${formatInstant(Date.parse(heal.until))}; verify again after that`;
    case 'rotation-running':
      return "a rotation is running: its finishSecret settles on Clerk's key";
    case 'failed':
      return `starting the rotation that adopts Clerk's key failed (${heal.errorCode})`;
    default:
      return `not started: \`${CliDefaults.programName} verify --heal\` starts a rotation that adopts Clerk's key, as the scheduled verification does`;
  }
}

/** A verdict's detail (with its reason code), the reason's runbook entry, and what was done about drift. */
export function verdictDetailLines(verdict: SecretVerdict, indent: string): Line[] {
  const code = verdict.errorCode === undefined ? '' : `[${verdict.errorCode}] `;
  const lines: Line[] = [`${indent}${code}${verdict.detail}`];
  if (verdict.errorCode !== undefined && verdict.errorCode !== 'UNEXPECTED') {
    lines.push(`${indent}runbook: ${runbookLink(verdict.errorCode)}`);
  }
  if (verdict.heal !== undefined) lines.push(`${indent}heal: ${describeHeal(verdict.heal)}`);
  return lines;
}

/** One verdict for --json. */
export function verdictDocument(verdict: SecretVerdict) {
  const { heal, pending } = verdict;
  return {
    secret: { name: verdict.name, arn: verdict.secretArn },
    machineId: verdict.machineId ?? null,
    outcome: verdict.outcome,
    healthy: isHealthy(verdict),
    detail: verdict.detail,
    errorCode: verdict.errorCode ?? null,
    runbook:
      verdict.errorCode === undefined || verdict.errorCode === 'UNEXPECTED' ? null : runbookLink(verdict.errorCode),
    currentKeyAccepted: verdict.currentKeyAccepted ?? null,
    heal: heal === undefined ? null : { ...heal, description: describeHeal(heal) },
    pending: pending === undefined ? null : { ...pending, ageSeconds: pending.ageSeconds ?? null },
  };
}
