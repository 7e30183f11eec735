export interface PairedRounds<T> {
  readonly first: readonly T[];
  readonly second: readonly T[];
}

/**
 * One unrecorded warm-up of each, then `rounds` rounds that run both, the one going first alternating, so that drift
 * in the machine's load hits both alike.
 */
export async function interleaveRounds<T>(
  rounds: number,
  first: () => Promise<T>,
  second: () => Promise<T>,
): Promise<PairedRounds<T>> {
  await first();
  await second();
  const firsts: T[] = [];
  const seconds: T[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      firsts.push(await first());
      seconds.push(await second());
    } else {
      seconds.push(await second());
      firsts.push(await first());
    }
  }
  return { first: firsts, second: seconds };
}
