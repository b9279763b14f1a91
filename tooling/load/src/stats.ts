import { quantile } from '@a2a-stores/test-backends';

export { quantile };

/** Latency percentiles of one operation, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Percentiles of latency samples (ms); `undefined` when there are none. */
export function summarizeLatencies(samples: readonly number[]): LatencySummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const asArray = Array.from(sorted);
  return {
    count: sorted.length,
    p50: quantile(asArray, 0.5),
    p90: quantile(asArray, 0.9),
    p99: quantile(asArray, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/**
 * Least-squares slope of `y` over `x` (units of y per unit of x); 0 for fewer than two points or
 * no spread in x. Used for the RSS trend: a leak shows as a steady positive slope even when the
 * garbage collector's sawtooth makes the end-minus-start difference noisy.
 */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const { x, y } of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / points.length;
  const my = sy / points.length;
  let num = 0;
  let den = 0;
  for (const { x, y } of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
