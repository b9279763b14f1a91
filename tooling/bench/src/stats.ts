import { quantile } from '@a2a-stores/test-backends';

export { quantile };

/** Latency statistics of one workload in one run, in microseconds. */
export interface LatencyStats {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** Operations per second implied by the mean latency (one client, sequential). */
  readonly opsPerSec: number;
}

/** Statistics of latency samples given in nanoseconds. */
export function summarize(samplesNs: readonly bigint[]): LatencyStats {
  const micros = samplesNs.map((ns) => Number(ns) / 1000).sort((a, b) => a - b);
  const mean = micros.reduce((sum, value) => sum + value, 0) / micros.length;
  return {
    p50: quantile(micros, 0.5),
    p99: quantile(micros, 0.99),
    mean,
    opsPerSec: 1e6 / mean,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of each statistic across runs (each statistic on its own). */
export function medianOfRuns(runs: readonly LatencyStats[]): LatencyStats {
  return {
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    mean: median(runs.map((run) => run.mean)),
    opsPerSec: median(runs.map((run) => run.opsPerSec)),
  };
}
