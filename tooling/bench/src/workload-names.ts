/** The workloads, in the order they run and are reported. */
export const WORKLOADS = [
  'save new',
  'load hit',
  'load miss',
  'load other scope',
  'update',
  'list first page',
  'list deep page',
  'list by context',
  'list by status',
  'push save',
  'push load',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Latency samples (ns) of one run of one subject, by workload. */
export type RunSamples = Partial<Record<WorkloadName, bigint[]>>;
