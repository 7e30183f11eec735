import { quantile } from './quantile.ts';

/** The median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
