import { askClerkAboutKey } from '../../core/askClerkAboutKey.ts';
import type { MachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { CliDefaults } from '../CliDefaults.ts';
import { pause } from '../followRotation.ts';

/** What Clerk said about the suspected key after an emergency rotation, and when it said it. */
export interface OldKeyCheck {
  /** `rejected` is the only answer that proves the key is dead (a 401); anything else proves nothing. */
  readonly state: 'rejected' | 'still-accepted' | 'unknown';
  /** When the last question was answered (epoch ms). */
  readonly checkedAt: number;
  readonly checks: number;
  /** Why Clerk could not say (`unknown`): the code of the failure. */
  readonly errorCode: string | undefined;
}

/**
 * Asks Clerk whether the key that was AWSCURRENT when the emergency began is rejected now: at once, and again after
 * each of CliDefaults.revocationCheckPausesSeconds while Clerk still accepts it or cannot be asked (a revocation may
 * take a moment to propagate). Only a rejection lets the CLI say the key stopped working.
 */
export async function checkOldKeyRevoked(
  ctx: Pick<CliContext, 'clerk' | 'clock' | 'sleep' | 'signal'>,
  suspected: Pick<MachineSecret, 'machineId' | 'secretKey'>,
): Promise<OldKeyCheck> {
  const pauses = [0, ...CliDefaults.revocationCheckPausesSeconds];
  let result: OldKeyCheck | undefined;
  for (const [index, seconds] of pauses.entries()) {
    if (seconds > 0) await pause(ctx.sleep, seconds * 1000, ctx.signal);
    const verdict = await askClerkAboutKey(ctx.clerk(), suspected.secretKey, suspected.machineId);
    const checkedAt = ctx.clock.now();
    const checks = index + 1;
    if (verdict === 'rejected') return { state: 'rejected', checkedAt, checks, errorCode: undefined };
    result =
      verdict === 'accepted'
        ? { state: 'still-accepted', checkedAt, checks, errorCode: undefined }
        : { state: 'unknown', checkedAt, checks, errorCode: verdict.unknown };
  }
  return result as OldKeyCheck;
}
