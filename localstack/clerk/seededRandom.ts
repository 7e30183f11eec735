/**
 * The emulators share one seeded generator (mulberry32, see ../secretsManager/seededRandom.ts): probabilistic faults
 * replay exactly for a given seed. Not for anything secret — keys and tokens come from node:crypto.
 */
export { createSeededRandom, type RandomSource } from '../secretsManager/seededRandom.ts';
