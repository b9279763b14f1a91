import { cpus, totalmem } from 'node:os';
import type { MixedStats } from './mixed.js';
import type { BenchOptions } from './options.js';
import type { PointComparison } from './point-baseline.js';
import type { LatencyStats } from './stats.js';
import type { StreamResult } from './stream-stats.js';
import type { SubjectRole, WrapperInfo } from './subject.js';
import type { WorkloadName } from './workload-names.js';

/** One subject's results on one backend: each run's statistics and their median. */
export interface SubjectResult {
  readonly name: string;
  readonly role: SubjectRole;
  readonly wraps?: WrapperInfo;
  /** Name of the subject a variant's cost is divided by. */
  readonly variantOf?: string;
  readonly workloads: Partial<Record<WorkloadName, { runs: LatencyStats[]; median: LatencyStats }>>;
  /** The concurrent mixed workload: each run and the median of each statistic. */
  readonly mixed?: { runs: MixedStats[]; median: MixedStats };
  /** The same with every client in one scope (one busy owner). */
  readonly mixedOneScope?: { runs: MixedStats[]; median: MixedStats };
}

/** Everything measured on one backend in this run. */
export interface BackendResult {
  readonly backend: string;
  readonly settings: string;
  /** What could not be measured on this backend, and why. */
  readonly notes?: readonly string[];
  readonly seedSeconds: number;
  readonly subjects: readonly SubjectResult[];
  /** The stream workload (artifact chunks, then history), once per backend. */
  readonly stream?: readonly StreamResult[];
}

/** First page, deep page and load of one subject at one data size. */
export interface ScalingPoint {
  readonly label: string;
  /** Tasks stored in the measured subject's tables (all scopes). */
  readonly tasks: number;
  readonly scopes: number;
  /** Tasks in the scope the pages and loads read. */
  readonly scopeTasks: number;
  readonly firstPage: LatencyStats;
  readonly deepPage: LatencyStats;
  /** 1-based page the deep-page measurement read. */
  readonly deepPageNumber: number;
  readonly load: LatencyStats;
  /** Saves that rewrite a stored task of the scope (unchanged), alternating with the loads. */
  readonly save: LatencyStats;
  /** Seconds the seeding up to this point took (this step only). */
  readonly seedSeconds: number;
}

/** One subject's scaling points on one backend. */
export interface ScalingResult {
  readonly backend: string;
  readonly subject: string;
  readonly role: SubjectRole;
  readonly settings: string;
  readonly points: readonly ScalingPoint[];
}

/** The machine a report was measured on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

/** The whole report, as written to JSON. */
export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly backends: readonly BackendResult[];
  readonly scaling?: readonly ScalingResult[];
  /** With `--baseline`: the point operations against that report's. */
  readonly baseline?: { readonly startedAt: string; readonly points: readonly PointComparison[] };
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}
