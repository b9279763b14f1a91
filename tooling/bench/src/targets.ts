import {
  floorMissReason,
  sdkMissReason,
  WRAPPER_OVER_FLOOR,
  wrapperMissReason,
} from './miss-reasons.js';
import type { BackendResult, BenchReport, ScalingResult, SubjectResult } from './report.js';
import { streamTargets } from './stream-targets.js';
import type { SubjectRole } from './subject.js';
import { WORKLOADS, type WorkloadName } from './workload-names.js';

/** Whether a target was reached in this run. */
export type TargetStatus = 'met' | 'missed' | 'not measured';

/** One issue target, checked on one backend's numbers. */
export interface TargetCheck {
  readonly backend: string;
  readonly target: string;
  /** The measured ratio; absent when not measured. */
  readonly value?: number;
  readonly status: TargetStatus;
  /** Why it was not measured. */
  readonly note?: string;
  /** Why it missed, when the miss is the cost of something the reference does not do. */
  readonly why?: string;
}

export function p50Of(
  subject: SubjectResult | undefined,
  workload: WorkloadName,
): number | undefined {
  return subject?.workloads[workload]?.median.p50;
}

/** Speed relative to `reference` (> 1 means faster), from p50 latencies. */
export function speed(reference: number | undefined, own: number | undefined): number | undefined {
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
  'list by context',
  'list by status',
  'push load',
];

/** Cost target of a wrapper with its cache on: its p50 over its inner store's, same run. */
export const WRAPPER_CACHE_HIT_TARGET = 1.15;

/**
 * Issue #20: a cached wrapper's p50 over the AES-GCM floor's (same inner store, same run), on
 * the workloads where both do one AES-GCM operation per record: load, rewrite and first page.
 */
export const WRAPPER_OVER_AES_FLOOR_TARGET = 1.15;
export const AES_FLOOR_WORKLOADS: readonly WorkloadName[] = [
  'load hit',
  'update',
  'list first page',
];

/** Speed target over the raw floor: Redis' floor does no index maintenance beyond ZADD/ZREM. */
export function floorTarget(backend: string): number {
  return backend === 'redis' ? 0.85 : 0.9;
}

/** One wrapper's p50 on one workload, next to its inner store's. */
export interface WrapperCost {
  readonly workload: WorkloadName;
  readonly wrapper: string;
  /** Name of the inner subject. */
  readonly inner: string;
  readonly cache: boolean;
  /** The AES-GCM floor, not a wrapper under judgement (see `WrapperInfo.floor`). */
  readonly floor: boolean;
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
      const { inner, cache, floor = false } = subject.wraps;
      const innerP50 = p50Of(
        backend.subjects.find((s) => s.name === inner),
        workload,
      );
      const wrapperP50 = p50Of(subject, workload);
      if (innerP50 === undefined || wrapperP50 === undefined) continue;
      const cost = wrapperP50 / innerP50;
      costs.push({
        workload,
        wrapper: subject.name,
        inner,
        cache,
        floor,
        innerP50,
        wrapperP50,
        cost,
      });
    }
  }
  return costs;
}

function judged(
  backend: string,
  target: string,
  value: number | undefined,
  met: (value: number) => boolean,
  note: string,
  why?: string,
): TargetCheck {
  if (value === undefined) return { backend, target, status: 'not measured', note };
  if (met(value)) return { backend, target, value, status: 'met' };
  return { backend, target, value, status: 'missed', ...(why ? { why } : {}) };
}

function workloadTargets(backend: BackendResult): TargetCheck[] {
  const byRole = (role: SubjectRole) => backend.subjects.find((s) => s.role === role);
  const adapter = byRole('adapter');
  if (!adapter) return [];
  const name = backend.backend;
  const sdkNote =
    backend.notes?.find((note) => note.startsWith('SDK store')) ?? 'no SDK store subject';
  const checks: TargetCheck[] = [];
  const least = floorTarget(name);
  const guarded = byRole('guarded-floor');
  for (const workload of ['save new', 'load hit', 'update'] as const) {
    const vsFloor = speed(p50Of(byRole('floor'), workload), p50Of(adapter, workload));
    const guardedVsFloor = speed(p50Of(byRole('floor'), workload), p50Of(guarded, workload));
    const reason = floorMissReason(name, workload);
    const measured =
      guarded && guardedVsFloor !== undefined && workload !== 'load hit'
        ? `; ${guarded.name}, raw SQL with those guarantees, measures ${guardedVsFloor.toFixed(2)}x the floor in this run`
        : '';
    checks.push(
      judged(
        name,
        `${workload} ≥ ${least}x floor`,
        vsFloor,
        (v) => v >= least,
        'no floor',
        reason && reason + measured,
      ),
    );
    const vsSdk = speed(p50Of(byRole('sdk'), workload), p50Of(adapter, workload));
    const guardedVsSdk = speed(p50Of(byRole('sdk'), workload), p50Of(guarded, workload));
    const sdkReason = sdkMissReason(workload);
    const sdkMeasured =
      guarded && guardedVsSdk !== undefined
        ? `; ${guarded.name} measures ${guardedVsSdk.toFixed(2)}x the SDK store in this run`
        : '';
    checks.push(
      judged(
        name,
        `${workload} ≥ 1.3x SDK store`,
        vsSdk,
        (v) => v >= 1.3,
        sdkNote,
        sdkReason && sdkReason + sdkMeasured,
      ),
    );
  }
  const first = p50Of(adapter, 'list first page');
  const deep = p50Of(adapter, 'list deep page');
  const depthCost = first === undefined || deep === undefined ? undefined : deep / first;
  checks.push(judged(name, 'deep page ≤ 1.2x first page', depthCost, (v) => v <= 1.2, 'not run'));
  const costs = wrapperCosts(backend);
  for (const cost of costs) {
    if (!cost.cache || !CACHE_HIT_WORKLOADS.includes(cost.workload)) continue;
    const floor = costs.find(
      (other) => other.floor && other.inner === cost.inner && other.workload === cost.workload,
    );
    const measured = floor
      ? `; ${floor.wrapper}, one AES-GCM envelope per record and nothing else, costs ${floor.cost.toFixed(2)}x inner in this run`
      : '';
    checks.push(
      judged(
        name,
        `${cost.wrapper}: ${cost.workload} cost ≤ ${WRAPPER_CACHE_HIT_TARGET}x inner`,
        cost.cost,
        (v) => v <= WRAPPER_CACHE_HIT_TARGET,
        '',
        wrapperMissReason() + measured,
      ),
    );
    if (floor && AES_FLOOR_WORKLOADS.includes(cost.workload)) {
      checks.push(
        judged(
          name,
          `${cost.wrapper}: ${cost.workload} ≤ ${WRAPPER_OVER_AES_FLOOR_TARGET}x ${floor.wrapper}`,
          cost.wrapperP50 / floor.wrapperP50,
          (v) => v <= WRAPPER_OVER_AES_FLOOR_TARGET,
          '',
          WRAPPER_OVER_FLOOR,
        ),
      );
    }
  }
  return checks;
}

/**
 * Issue #20's one-busy-scope targets: PostgreSQL's throughput (its counters serialised writers
 * of one scope), SQLite's load p99 (reads waited behind writes). Other backends are reported in
 * the one-scope table without a target.
 */
function oneScopeTargets(backend: BackendResult): TargetCheck[] {
  const byRole = (role: SubjectRole) => backend.subjects.find((s) => s.role === role);
  const adapter = byRole('adapter')?.mixedOneScope?.median;
  if (!adapter) return [];
  const floor = byRole('floor')?.mixedOneScope?.median;
  const sdk = byRole('sdk')?.mixedOneScope?.median;
  const name = backend.backend;
  if (name === 'postgres') {
    return [
      judged(
        name,
        'one-scope mixed throughput ≥ 0.9x floor',
        floor && adapter.opsPerSec / floor.opsPerSec,
        (v) => v >= 0.9,
        'no floor',
      ),
      judged(
        name,
        'one-scope mixed throughput ≥ 1.2x SDK store',
        sdk && adapter.opsPerSec / sdk.opsPerSec,
        (v) => v >= 1.2,
        'no SDK store subject',
      ),
    ];
  }
  if (name === 'sqlite') {
    return [
      judged(
        name,
        'one-scope mixed load p99 ≤ 2x floor (cost ratio)',
        floor && adapter.loadP99 / floor.loadP99,
        (v) => v <= 2,
        'no floor',
      ),
    ];
  }
  return [];
}

function scalingTargets(result: ScalingResult): TargetCheck[] {
  const single = result.points.filter((point) => point.scopes === 1);
  const smallest = single[0];
  const largest = single.at(-1);
  const name = result.backend;
  const checks: TargetCheck[] = [];
  if (smallest && largest && largest !== smallest) {
    const label = (tasks: number) => (tasks >= 1000 ? `${tasks / 1000}k` : String(tasks));
    checks.push(
      judged(
        name,
        `first page at ${label(largest.tasks)} ≤ 2x at ${label(smallest.tasks)} (one scope)`,
        largest.firstPage.p50 / smallest.firstPage.p50,
        (v) => v <= 2,
        '',
      ),
      judged(
        name,
        `load at ${label(largest.tasks)} ≤ 2x at ${label(smallest.tasks)} (one scope; design goal)`,
        largest.load.p50 / smallest.load.p50,
        (v) => v <= 2,
        '',
      ),
      judged(
        name,
        `save at ${label(largest.tasks)} ≤ 2x at ${label(smallest.tasks)} (one scope; design goal)`,
        largest.save.p50 / smallest.save.p50,
        (v) => v <= 2,
        '',
      ),
    );
  }
  for (const point of result.points) {
    checks.push(
      judged(
        name,
        `deep page (page ${point.deepPageNumber}) ≤ 1.2x first page, ${point.label}`,
        point.deepPage.p50 / point.firstPage.p50,
        (v) => v <= 1.2,
        '',
      ),
    );
  }
  return checks;
}

/** The targets for each backend's adapter, with what this run measured of them. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const backend of report.backends) {
    checks.push(
      ...workloadTargets(backend),
      ...oneScopeTargets(backend),
      ...streamTargets(backend),
    );
    if (backend.subjects.some((s) => s.role === 'adapter') && !report.scaling) {
      checks.push({
        backend: backend.backend,
        target: 'first page at 100k ≤ 2x at 1k',
        status: 'not measured',
        note: 'scaling is its own run: pnpm bench -- --scaling',
      });
    }
  }
  for (const result of report.scaling ?? []) {
    if (result.role === 'adapter') checks.push(...scalingTargets(result));
  }
  return checks;
}
