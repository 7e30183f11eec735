import type { RotationRecord } from '../../localstack/clerk/index.ts';

/**
 * Why the key in AWSCURRENT does or does not work at Clerk, from Clerk's rotation history:
 * - `valid`: it authenticates (Clerk's current key, or the previous one inside its overlap);
 * - `expired`: our own rotation replaced it and the overlap we asked for (the TTL) ran out by the clock (a TTL of 0
 *   runs out at once). I1 allows this, but the rotation that moves AWSCURRENT off it must report it;
 * - `expired-by-operator`: a dashboard rotation replaced it and the operator's TTL ran out. Not the engine's doing,
 *   and not always visible to it, so no report is required;
 * - `killed-by-engine`: a second API rotation came inside its overlap (Clerk kills the key from two rotations ago at
 *   once): an I1 violation;
 * - `killed-by-operator`: the same, but a dashboard rotation was one of the two;
 * - `killed-by-late-landing`: the same, but one of the two was a rotate that landed after its landing horizon — the
 *   residual risk docs/decisions/007 accepts ("What remains possible"), counted, not a violation;
 * - `unexplained`: dead for no reason in the history, or a key Clerk never showed for this machine.
 */
export type CurrentKeyStatus =
  | 'valid'
  | 'expired'
  | 'expired-by-operator'
  | 'killed-by-engine'
  | 'killed-by-operator'
  | 'killed-by-late-landing'
  | 'unexplained';

export interface KeyLineage {
  /** Key → how many rotations Clerk had made when it was the machine's current key (0: the initial key). */
  readonly generationOf: ReadonlyMap<string, number>;
  /** Clerk's rotations of the machine, oldest first (API and dashboard). */
  readonly history: readonly RotationRecord[];
  /** Indices in `history` of rotates that landed after their landing horizon. */
  readonly landedBeyondHorizon: ReadonlySet<number>;
}

export function classifyCurrentKey(key: string, valid: boolean, lineage: KeyLineage, now: number): CurrentKeyStatus {
  if (valid) return 'valid';
  const generation = lineage.generationOf.get(key);
  if (generation === undefined) return 'unexplained';
  const replacedBy = lineage.history[generation];
  if (replacedBy === undefined) return 'unexplained';
  const expiresAt = replacedBy.at + replacedBy.previousTokenTtlSeconds * 1000;
  const next = lineage.history[generation + 1];
  if (next !== undefined && next.at < expiresAt) {
    if (replacedBy.source === 'dashboard' || next.source === 'dashboard') return 'killed-by-operator';
    const late = lineage.landedBeyondHorizon;
    return late.has(generation) || late.has(generation + 1) ? 'killed-by-late-landing' : 'killed-by-engine';
  }
  if (now < expiresAt) return 'unexplained';
  return replacedBy.source === 'api' ? 'expired' : 'expired-by-operator';
}
