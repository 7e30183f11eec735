import { askClerkAboutKey, type KeyVerdict } from '../../core/askClerkAboutKey.ts';
import type { ClerkMachineApi } from '../../core/ClerkMachineApi.ts';
import type { SecretVersion } from '../../core/SecretStore.ts';
import { ErrorCode } from '../../errors.ts';
import type { Redacted } from '../../Redacted.ts';
import { type MachineSecret, parseMachineSecret } from '../../secretFormat.ts';
import type { SecretVerdict } from '../../verification/SecretVerdict.ts';
import { CliErrorCode, isErrorCode } from '../errors.ts';
import { formatInstant, formatRelative } from '../formatTime.ts';
import type { Check } from './verifyReport.ts';

const OVERLAP = 'previous-key-overlap';

/** A question Clerk did not answer: the check fails with the failure's code (nothing was confirmed). */
function unanswered(name: string, question: string, verdict: { readonly unknown: string }): Check {
  const code = isErrorCode(verdict.unknown) ? verdict.unknown : undefined;
  return { name, status: 'fail', detail: `Clerk did not say ${question} (${verdict.unknown})`, code };
}

/**
 * Whether Clerk accepts AWSCURRENT's key. On drift the verification already asked; otherwise the CLI asks once more
 * (the scheduled check does not, to spend one Clerk call per healthy secret): an operator gets the stronger answer.
 */
export async function checkCurrentKeyWorks(
  clerk: ClerkMachineApi,
  current: MachineSecret,
  versionId: string,
  verdict: SecretVerdict,
): Promise<Check> {
  const name = 'current-key-works';
  const answer: KeyVerdict =
    verdict.outcome === 'drift'
      ? verdict.currentKeyAccepted === undefined
        ? { unknown: 'not answered during the verification' }
        : verdict.currentKeyAccepted
          ? 'accepted'
          : 'rejected'
      : await askClerkAboutKey(clerk, current.secretKey, current.machineId);
  if (answer === 'accepted') {
    return { name, status: 'pass', detail: `AWSCURRENT's key (version ${versionId}) authenticates at Clerk` };
  }
  if (answer === 'rejected') {
    return {
      name,
      status: 'fail',
      detail: `Clerk rejects AWSCURRENT's key (version ${versionId}): apps reading AWSCURRENT fail`,
      code: ErrorCode.clerkUnauthorized,
    };
  }
  return unanswered(name, `whether it accepts AWSCURRENT's key (version ${versionId})`, answer);
}

/** The verification's own comparison of AWSCURRENT with Clerk's current key, as a check. */
export function checkCurrentKeyIsClerks(verdict: SecretVerdict): Check {
  const name = 'current-key-is-clerks';
  return verdict.outcome !== 'drift'
    ? { name, status: 'pass', detail: "AWSCURRENT's key is Clerk's current key" }
    : {
        name,
        status: 'fail',
        detail:
          "AWSCURRENT's key is not Clerk's current key: the machine was rotated outside this secret (dashboard, a lost response); it stops working when that rotation's overlap ends",
        code: CliErrorCode.currentKeyStale,
      };
}

/** AWSPREVIOUS's key, or why there is none worth checking. */
function previousKeyOf(
  previous: SecretVersion,
  current: MachineSecret,
  secretName: string,
): { key: Redacted } | { skip: string } {
  let parsed: MachineSecret;
  try {
    parsed = parseMachineSecret(previous.secretString, `AWSPREVIOUS of ${secretName}`);
  } catch (error) {
    return { skip: `AWSPREVIOUS is not a machine secret (${(error as Error).message})` };
  }
  if (parsed.machineId !== current.machineId)
    return { skip: `AWSPREVIOUS is for another machine (${parsed.machineId})` };
  if (parsed.secretKey.equals(current.secretKey)) return { skip: 'AWSPREVIOUS holds the same key as AWSCURRENT' };
  return { key: parsed.secretKey };
}

/** Before previousKeyExpiresAt Clerk must accept the previous key; after it, a rejection is what is expected. */
function judgeOverlap(accepted: boolean, expiresAt: number | undefined, versionId: string, now: number): Check {
  const key = `AWSPREVIOUS's key (version ${versionId})`;
  if (expiresAt === undefined) {
    const works = accepted ? 'Clerk still accepts it' : 'Clerk rejects it';
    return { name: OVERLAP, status: 'info', detail: `${key}: no previousKeyExpiresAt recorded; ${works}` };
  }
  const when = `${formatInstant(expiresAt)} (${formatRelative(expiresAt, now)})`;
  if (expiresAt > now) {
    return accepted
      ? { name: OVERLAP, status: 'pass', detail: `${key} is inside its overlap until ${when} and Clerk accepts it` }
      : {
          name: OVERLAP,
          status: 'fail',
          detail: `${key} should work until ${when}, but Clerk rejects it: apps still on the previous key fail now`,
          code: ErrorCode.overlapExpired,
        };
  }
  return accepted
    ? {
        name: OVERLAP,
        status: 'info',
        detail: `${key}: its overlap ended at ${when} by the secret's record, yet Clerk still accepts it (Clerk counts the overlap from its own rotate)`,
      }
    : {
        name: OVERLAP,
        status: 'pass',
        detail: `${key}: its overlap ended at ${when} and Clerk rejects it, as expected`,
      };
}

export async function checkPreviousKeyOverlap(
  clerk: ClerkMachineApi,
  input: {
    readonly previous: SecretVersion | undefined;
    readonly current: MachineSecret;
    readonly secretName: string;
    readonly now: number;
  },
): Promise<Check> {
  const { previous, current } = input;
  if (previous === undefined) return { name: OVERLAP, status: 'skip', detail: 'no AWSPREVIOUS version' };
  const previousKey = previousKeyOf(previous, current, input.secretName);
  if ('skip' in previousKey) return { name: OVERLAP, status: 'skip', detail: previousKey.skip };
  const answer = await askClerkAboutKey(clerk, previousKey.key, current.machineId);
  if (typeof answer === 'object') {
    return unanswered(OVERLAP, `whether it accepts AWSPREVIOUS's key (version ${previous.versionId})`, answer);
  }
  const expiresAt = current.previousKeyExpiresAt === undefined ? undefined : Date.parse(current.previousKeyExpiresAt);
  return judgeOverlap(answer === 'accepted', expiresAt, previous.versionId, input.now);
}
