import { median } from './median.ts';
import { quantile } from './quantile.ts';
import type { Probe } from './runProbe.ts';

/** Two interleaved series compared one way: medians of `a` and `b`, and the per-round ratios a ÷ b. */
export interface ProbeComparison {
  readonly aMs: number;
  readonly bMs: number;
  /** Median of the per-round ratios. */
  readonly ratio: number;
  /** First and third quartile of the per-round ratios: the noise the median sits in. */
  readonly ratioQuartiles: readonly [number, number];
}

function compare(a: readonly number[], b: readonly number[]): ProbeComparison {
  const ratios = a.map((value, index) => value / (b[index] as number));
  return {
    aMs: median(a),
    bMs: median(b),
    ratio: median(ratios),
    ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
  };
}

/**
 * Compares two interleaved probe series (round i of `a` with round i of `b`) in wall time, in time since process
 * start, and in CPU time (user + system of the probe's process), which the machine's other load disturbs far less
 * than wall time on a shared machine.
 */
export function compareProbes(a: readonly Probe[], b: readonly Probe[]) {
  const cpu = (probes: readonly Probe[]) => probes.map((p) => p.cpuMs ?? Number.NaN);
  return {
    wall: compare(
      a.map((p) => p.ms),
      b.map((p) => p.ms),
    ),
    aSinceStartMs: median(a.map((p) => p.sinceStartMs)),
    bSinceStartMs: median(b.map((p) => p.sinceStartMs)),
    cpu: compare(cpu(a), cpu(b)),
  };
}
