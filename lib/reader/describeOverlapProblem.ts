import type { MachineKey } from './MachineKeyProvider.ts';

/**
 * The warning for a reader whose maxAgeMs + maxStaleMs is more than half of the previous key's overlap, as this
 * version records it (previousKeyExpiresAt − rotatedAt); undefined when the rule holds or the version does not say.
 */
export function describeOverlapProblem(key: MachineKey, maxAgeMs: number, maxStaleMs: number): string | undefined {
  if (key.rotatedAt === undefined || key.previousKeyExpiresAt === undefined) return undefined;
  const overlapMs = Date.parse(key.previousKeyExpiresAt) - Date.parse(key.rotatedAt);
  if (!Number.isFinite(overlapMs) || maxAgeMs + maxStaleMs <= overlapMs / 2) return undefined;
  const overlap =
    overlapMs > 0
      ? `the previous key's overlap (${overlapMs} ms between rotatedAt and previousKeyExpiresAt)`
      : "the previous key's overlap, which this version records as none (a previous-key TTL of 0, or a key adopted " +
        'from a rotation made outside the rotator)';
  return (
    `maxAgeMs (${maxAgeMs}) + maxStaleMs (${maxStaleMs}) = ${maxAgeMs + maxStaleMs} ms is more than half of ` +
    `${overlap}: after a rotation this reader may keep using a key Clerk has already expired. Keep maxAgeMs + ` +
    `maxStaleMs at most ${Math.max(0, Math.floor(overlapMs / 2))} ms, or rotate with a longer previous-key TTL; ` +
    'until then withMachineKey refreshes after a 401.'
  );
}
