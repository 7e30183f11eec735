import { measureReader as measureReaderOnce, type ReaderMeasurement } from '../scripts/bench-reader.ts';
import { median } from './median.ts';

/** The goals for the reader library. */
export const READER_GOALS = { hotReadsPerSecond: 1_000_000, coldFetches: 1 } as const;

export interface ReaderRuns {
  readonly runs: number;
  /** Medians over the runs. */
  readonly hotReadsPerSecond: number;
  readonly mapGetPerSecond: number;
  readonly awaitedMapGetPerSecond: number;
  /** The most fetches any run needed for 10,000 concurrent cold reads (the goal is about every run). */
  readonly coldFetchesMax: number;
  readonly coldReads: number;
  readonly callsPerSimulatedHour: number;
  readonly getsPerSimulatedHour: number;
  readonly maxAgeMs: number;
  readonly monthlyCostUsd: number;
  readonly goals: typeof READER_GOALS;
  /** The last run as scripts/bench-reader.ts reports it. */
  readonly last: ReaderMeasurement;
}

/** scripts/bench-reader.ts's measurement, `runs` times, summarised by medians. */
export async function measureReader(runs = 5): Promise<ReaderRuns> {
  const results: ReaderMeasurement[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await measureReaderOnce());
  const last = results.at(-1)!;
  return {
    runs,
    hotReadsPerSecond: median(results.map((r) => r.hot.providerOps)),
    mapGetPerSecond: median(results.map((r) => r.hot.mapOps)),
    awaitedMapGetPerSecond: median(results.map((r) => r.hot.awaitedMapOps)),
    coldFetchesMax: Math.max(...results.map((r) => r.cold.calls)),
    coldReads: 10_000,
    callsPerSimulatedHour: median(results.map((r) => r.hour.calls)),
    getsPerSimulatedHour: last.hour.requests,
    maxAgeMs: last.maxAgeMs,
    monthlyCostUsd: median(results.map((r) => r.monthlyCost)),
    goals: READER_GOALS,
    last,
  };
}
