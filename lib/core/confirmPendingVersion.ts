import type { RotationContext, StepOutcome } from './RotationContext.ts';
import { readPendingSecret } from './readPendingSecret.ts';

/** setSecret: Clerk already holds the new key (createSecret rotated it there); confirm the pending value exists. */
export async function confirmPendingVersion(context: RotationContext): Promise<StepOutcome> {
  const pending = await readPendingSecret(context);
  return { outcome: 'confirmed', machineId: pending.machineId };
}
