import type { BackendResult, BenchReport, SubjectResult } from '../../src/report.js';
import { summarize } from '../../src/stats.js';
import type { SubjectRole, WrapperInfo } from '../../src/subject.js';
import type { WorkloadName } from '../../src/workload-names.js';

const TARGET_WORKLOADS: readonly WorkloadName[] = [
  'save new',
  'load hit',
  'update',
  'list first page',
  'list deep page',
];

/**
 * A subject of one run whose `workloads` (default: those the targets look at) each measured
 * `p50Us`, except `list deep page`, 10% slower than that: within its target.
 */
export function subjectResult(
  name: string,
  role: SubjectRole,
  p50Us: number,
  options: { workloads?: readonly WorkloadName[]; wraps?: WrapperInfo } = {},
): SubjectResult {
  const workloads: SubjectResult['workloads'] = {};
  for (const workload of options.workloads ?? TARGET_WORKLOADS) {
    const factor = workload === 'list deep page' ? 1100 : 1000;
    const median = summarize([BigInt(p50Us * factor)]);
    workloads[workload] = { runs: [median], median };
  }
  return { name, role, ...(options.wraps ? { wraps: options.wraps } : {}), workloads };
}

export function backendResult(
  backend: string,
  subjects: SubjectResult[],
  notes?: string[],
): BackendResult {
  return { backend, settings: '', ...(notes ? { notes } : {}), seedSeconds: 0, subjects };
}

/** A report holding `backends`; only what the target checks and the renderer read. */
export function reportOf(backends: BackendResult[], extra: Partial<BenchReport> = {}): BenchReport {
  return { backends, ...extra } as unknown as BenchReport;
}
