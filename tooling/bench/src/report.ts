import { cpus } from 'node:os';
import type { BenchOptions } from './options.js';
import type { LatencyStats } from './stats.js';
import type { SubjectRole, WrapperInfo } from './subject.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';

/** One subject's results on one backend: each run's statistics and their median. */
export interface SubjectResult {
  readonly name: string;
  readonly role: SubjectRole;
  readonly wraps?: WrapperInfo;
  readonly workloads: Partial<Record<WorkloadName, { runs: LatencyStats[]; median: LatencyStats }>>;
}

/** Everything measured on one backend in this run. */
export interface BackendResult {
  readonly backend: string;
  readonly settings: string;
  readonly seedSeconds: number;
  readonly subjects: readonly SubjectResult[];
}

/** The whole report, as written to JSON. */
export interface BenchReport {
  readonly startedAt: string;
  readonly machine: { cpus: number; cpuModel: string; node: string; platform: string };
  readonly options: BenchOptions;
  readonly backends: readonly BackendResult[];
}

/** One issue target, checked on one backend's numbers. */
export interface TargetCheck {
  readonly backend: string;
  readonly target: string;
  readonly value: number;
  readonly met: boolean;
}

export function machineInfo(): BenchReport['machine'] {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function p50Of(subject: SubjectResult | undefined, workload: WorkloadName): number | undefined {
  return subject?.workloads[workload]?.median.p50;
}

/** Speed relative to `reference` (> 1 means faster), from p50 latencies. */
function speed(reference: number | undefined, own: number | undefined): number | undefined {
  return reference === undefined || own === undefined ? undefined : reference / own;
}

/**
 * Workloads where a cached wrapper serves every timed op from its data-key cache: reads of
 * records it wrote or read before, and rewrites of the same record. `save new` and `push save`
 * write a new record each time (the encrypt-side cache is per record, so nothing can be reused);
 * the load misses open nothing.
 */
export const CACHE_HIT_WORKLOADS: readonly WorkloadName[] = [
  'load hit',
  'update',
  'list first page',
  'list deep page',
  'push load',
];

/** Cost target of a wrapper with its cache on: its p50 over its inner store's, same run. */
export const WRAPPER_CACHE_HIT_TARGET = 1.15;

/** One wrapper's p50 on one workload, next to its inner store's. */
export interface WrapperCost {
  readonly workload: WorkloadName;
  readonly wrapper: string;
  readonly cache: boolean;
  readonly innerP50: number;
  readonly wrapperP50: number;
  /** wrapper p50 / inner p50: above 1 = slower than the inner store. */
  readonly cost: number;
}

/** Every wrapper's cost over its inner store, per workload, on one backend. */
export function wrapperCosts(backend: BackendResult): WrapperCost[] {
  const costs: WrapperCost[] = [];
  for (const workload of WORKLOADS) {
    for (const subject of backend.subjects) {
      if (!subject.wraps) continue;
      const { inner, cache } = subject.wraps;
      const innerP50 = p50Of(
        backend.subjects.find((s) => s.name === inner),
        workload,
      );
      const wrapperP50 = p50Of(subject, workload);
      if (innerP50 === undefined || wrapperP50 === undefined) continue;
      const cost = wrapperP50 / innerP50;
      costs.push({ workload, wrapper: subject.name, cache, innerP50, wrapperP50, cost });
    }
  }
  return costs;
}

/** The ratio targets for each backend's adapter, as far as this run measured them. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const backend of report.backends) {
    const byRole = (role: SubjectRole) => backend.subjects.find((s) => s.role === role);
    const adapter = byRole('adapter');
    if (!adapter) continue;
    for (const workload of ['save new', 'load hit', 'update'] as const) {
      const vsFloor = speed(p50Of(byRole('floor'), workload), p50Of(adapter, workload));
      if (vsFloor !== undefined) {
        checks.push({
          backend: backend.backend,
          target: `${workload} ≥ 0.9x floor`,
          value: vsFloor,
          met: vsFloor >= 0.9,
        });
      }
      const vsSdk = speed(p50Of(byRole('sdk'), workload), p50Of(adapter, workload));
      if (vsSdk !== undefined) {
        checks.push({
          backend: backend.backend,
          target: `${workload} ≥ 1.3x SDK store`,
          value: vsSdk,
          met: vsSdk >= 1.3,
        });
      }
    }
    const first = p50Of(adapter, 'list first page');
    const deep = p50Of(adapter, 'list deep page');
    if (first !== undefined && deep !== undefined) {
      const cost = deep / first;
      checks.push({
        backend: backend.backend,
        target: 'deep page ≤ 1.2x first page',
        value: cost,
        met: cost <= 1.2,
      });
    }
    for (const cost of wrapperCosts(backend)) {
      if (!cost.cache || !CACHE_HIT_WORKLOADS.includes(cost.workload)) continue;
      checks.push({
        backend: backend.backend,
        target: `${cost.wrapper}: ${cost.workload} cost ≤ ${WRAPPER_CACHE_HIT_TARGET}x inner`,
        value: cost.cost,
        met: cost.cost <= WRAPPER_CACHE_HIT_TARGET,
      });
    }
  }
  return checks;
}

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined ? '–' : value.toFixed(digits);
const ratio = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}x`);

/** The markdown report: settings, one table per backend, then the target checks. */
export function renderMarkdown(report: BenchReport): string {
  const { machine, options } = report;
  const lines: string[] = [
    `Run ${report.startedAt}${options.quick ? ' — **quick mode**' : ''}: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, ${machine.platform}.`,
    `Scope of ${options.scopeSize} tasks, deep page = page ${options.deepPage} (page size 50), ${options.ops} timed ops per workload after ${options.warmup} warm-up ops, median of ${options.runs} runs. One client, sequential calls; latencies in µs.`,
    'Speed columns: the reference p50 divided by the subject p50 (above 1 = faster than the reference). The floors do no count in `list` (totalSize), the other subjects do.',
    '',
  ];
  for (const backend of report.backends) {
    const floor = backend.subjects.find((s) => s.role === 'floor');
    const sdk = backend.subjects.find((s) => s.role === 'sdk');
    lines.push(`#### ${backend.backend}`, '', `Settings: ${backend.settings}.`, '');
    lines.push('| workload | subject | p50 µs | p99 µs | ops/s | vs floor | vs SDK store |');
    lines.push('|---|---|---:|---:|---:|---:|---:|');
    for (const workload of WORKLOADS) {
      for (const subject of backend.subjects) {
        const stats = subject.workloads[workload]?.median;
        if (!stats) continue;
        const vsFloor =
          subject.role === 'floor' ? undefined : speed(p50Of(floor, workload), stats.p50);
        const vsSdk = subject.role === 'sdk' ? undefined : speed(p50Of(sdk, workload), stats.p50);
        lines.push(
          `| ${workload} | ${subject.name} | ${fmt(stats.p50)} | ${fmt(stats.p99)} | ${fmt(stats.opsPerSec)} | ${ratio(vsFloor)} | ${ratio(vsSdk)} |`,
        );
      }
    }
    lines.push('');
    const costs = wrapperCosts(backend);
    if (costs.length > 0) {
      lines.push(
        `Wrapper cost over its inner store (wrapper p50 / inner p50, above 1 = slower; cache-hit workloads: ${CACHE_HIT_WORKLOADS.join(', ')}):`,
        '',
        '| workload | wrapper | inner p50 µs | wrapper p50 µs | cost |',
        '|---|---|---:|---:|---:|',
      );
      for (const cost of costs) {
        lines.push(
          `| ${cost.workload} | ${cost.wrapper} | ${fmt(cost.innerP50)} | ${fmt(cost.wrapperP50)} | ${ratio(cost.cost)} |`,
        );
      }
      lines.push('');
    }
  }
  const checks = checkTargets(report);
  if (checks.length > 0) {
    lines.push(
      "#### Targets (this run; speed ratios, except the wrappers' cost ratios)",
      '',
      '| backend | target | measured | |',
      '|---|---|---:|---|',
    );
    for (const check of checks) {
      lines.push(
        `| ${check.backend} | ${check.target} | ${ratio(check.value)} | ${check.met ? 'met' : '**missed**'} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
