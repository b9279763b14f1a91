import type { TaskStore } from '@a2a-js/sdk/server';
import type { CoordinationBackend } from '@a2a-stores/core';

/**
 * What a coordinator author hands the coordination suites. Every `create()` is a new backend
 * connected to the same engine (a second call is another worker); the suites close what they
 * create. Keys and channels are random per test, so one shared engine needs no wipes; sweeps
 * may claim other tests' expired leases, so run the suites on an engine no live agent uses.
 */
export interface CoordinationHarness {
  readonly name: string;
  create(): CoordinationBackend | Promise<CoordinationBackend>;
  /** Called once after the group's tests. */
  destroy?(): Promise<void>;
}

/** The cluster suite's harness: backends as above, plus the task store the workers share. */
export interface ClusterHarness extends CoordinationHarness {
  /**
   * The one task store every simulated worker uses, opened with the default scope resolver.
   * Default: core's memory stores (the workers run in this process).
   */
  createTaskStore?(): TaskStore | Promise<TaskStore>;
}

/** Timing knobs of the cluster suite: small, so expiry and recovery happen within a test. */
export interface ClusterTiming {
  readonly leaseTtlMs: number;
  readonly renewIntervalMs: number;
  readonly sweepIntervalMs: number;
  /** Upper bound for any awaited condition. */
  readonly waitMs: number;
}

export const DEFAULT_CLUSTER_TIMING: ClusterTiming = {
  leaseTtlMs: 600,
  renewIntervalMs: 200,
  sweepIntervalMs: 100,
  waitMs: 8000,
};
