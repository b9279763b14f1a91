import { readFileSync } from 'node:fs';
import type { BackendResult, BenchReport } from './report.js';
import { p50Of } from './targets.js';
import type { WorkloadName } from './workload-names.js';

/** The point operations on one small task: what every agent call does, whatever it streams. */
export const POINT_WORKLOADS: readonly WorkloadName[] = ['save new', 'load hit', 'update'];

/**
 * A change of more than this (5%) against the baseline is flagged. Judged on the cost relative
 * to the floor of the same run, which the host's load moves far less than a raw latency.
 */
export const POINT_REGRESSION_LIMIT = 1.05;

/** One adapter's point operation, this run against a baseline report. */
export interface PointComparison {
  readonly backend: string;
  readonly subject: string;
  readonly workload: WorkloadName;
  readonly p50Us: number;
  readonly baselineP50Us: number;
  /** subject p50 / floor p50, this run and the baseline's. */
  readonly vsFloor: number;
  readonly baselineVsFloor: number;
  /** vsFloor / baselineVsFloor: above {@link POINT_REGRESSION_LIMIT} = regressed. */
  readonly change: number;
  readonly regressed: boolean;
}

/** Reads a report the harness wrote (its JSON) as the baseline of this run. */
export function readBaseline(path: string): BenchReport {
  const report = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
  if (!Array.isArray(report.backends)) throw new Error(`${path}: not a bench report (JSON)`);
  return report;
}

function costOverFloor(backend: BackendResult, subject: string, workload: WorkloadName) {
  const own = p50Of(
    backend.subjects.find((s) => s.name === subject),
    workload,
  );
  const floor = p50Of(
    backend.subjects.find((s) => s.role === 'floor'),
    workload,
  );
  return own === undefined || floor === undefined ? undefined : { own, ratio: own / floor };
}

/**
 * The point operations of every adapter and wrapper in `report` next to the same subject's in
 * `baseline` (matched by backend and name), each as its cost over the floor of its own run.
 */
export function comparePoints(report: BenchReport, baseline: BenchReport): PointComparison[] {
  const comparisons: PointComparison[] = [];
  for (const backend of report.backends) {
    const before = baseline.backends.find((b) => b.backend === backend.backend);
    if (!before) continue;
    for (const subject of backend.subjects) {
      if (subject.role !== 'adapter' && subject.role !== 'wrapper') continue;
      for (const workload of POINT_WORKLOADS) {
        const now = costOverFloor(backend, subject.name, workload);
        const then = costOverFloor(before, subject.name, workload);
        if (!now || !then) continue;
        const change = now.ratio / then.ratio;
        comparisons.push({
          backend: backend.backend,
          subject: subject.name,
          workload,
          p50Us: now.own,
          baselineP50Us: then.own,
          vsFloor: now.ratio,
          baselineVsFloor: then.ratio,
          change,
          regressed: change > POINT_REGRESSION_LIMIT,
        });
      }
    }
  }
  return comparisons;
}

/** The comparison as a markdown table (empty without a baseline or anything to compare). */
export function pointBaselineTable(
  comparisons: readonly PointComparison[],
  baselineStartedAt: string,
): string[] {
  if (comparisons.length === 0) return [];
  const limit = `${Math.round((POINT_REGRESSION_LIMIT - 1) * 100)}%`;
  const lines = [
    `#### Point operations against the baseline run of ${baselineStartedAt}`,
    '',
    `Cost over the floor (subject p50 / floor p50, same run), this run and the baseline's; change = this / baseline, more than ${limit} worse is flagged. Raw p50s for reference (they move with the host's load).`,
    '',
    '| backend | subject | workload | p50 µs | baseline p50 µs | vs floor | baseline vs floor | change | |',
    '|---|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of comparisons) {
    lines.push(
      `| ${c.backend} | ${c.subject} | ${c.workload} | ${c.p50Us.toFixed(1)} | ${c.baselineP50Us.toFixed(1)} | ${c.vsFloor.toFixed(3)}x | ${c.baselineVsFloor.toFixed(3)}x | ${c.change.toFixed(3)}x | ${c.regressed ? `**regressed > ${limit}**` : 'ok'} |`,
    );
  }
  lines.push('');
  return lines;
}
