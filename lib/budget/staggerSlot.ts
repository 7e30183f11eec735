import { createHash } from 'node:crypto';

/**
 * A slot in [0, slots) for a key (a machine id): the first 48 bits of its SHA-256, modulo the number of slots. The
 * same key always gets the same slot, whatever else is deployed and in whatever order; keys spread evenly over the
 * slots the way random draws would (no coordination, so some slots get more than others).
 */
export function staggerSlot(key: string, slots: number): number {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a whole number ≥ 1, got ${slots}`);
  const digest = createHash('sha256').update(key, 'utf8').digest();
  return digest.readUIntBE(0, 6) % slots;
}
