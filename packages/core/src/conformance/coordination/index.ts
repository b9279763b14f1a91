import { runCoordinationChannelGroup } from './channels-group.js';
import { runClusterEventsGroup } from './cluster-events-group.js';
import { runClusterRecoveryGroup } from './cluster-recovery-group.js';
import type { ClusterHarness, CoordinationHarness } from './harness.js';
import { runCoordinationLeaseGroup } from './leases-group.js';

/**
 * The coordinator suite: every `CoordinationBackend` (core's memory hub, Redis, PostgreSQL,
 * polling transports, a third party's) must pass it. `harness.create()` returns a new backend on
 * the shared engine each time; a second call is another worker.
 *
 * @example
 * ```ts
 * import { createMemoryCoordination } from '@a2a-stores/core';
 * import { runCoordinationBackendConformance } from '@a2a-stores/core/conformance';
 * const hub = createMemoryCoordination();
 * runCoordinationBackendConformance({ name: 'memory', create: () => hub.connect() });
 * ```
 */
export function runCoordinationBackendConformance(harness: CoordinationHarness): void {
  runCoordinationLeaseGroup(harness, false);
  runCoordinationChannelGroup(harness, true);
}

/**
 * The engine-level suite: two or three `createCluster` workers over backends from the same
 * harness, each with the SDK's `DefaultRequestHandler` and a scripted executor, checked for
 * cross-worker cancel, subscribe, scope isolation, push-once and orphan recovery.
 *
 * @example
 * ```ts
 * import { createMemoryCoordination } from '@a2a-stores/core';
 * import { runClusterConformance } from '@a2a-stores/core/conformance';
 * const hub = createMemoryCoordination();
 * runClusterConformance({ name: 'memory', create: () => hub.connect() });
 * ```
 */
export function runClusterConformance(harness: ClusterHarness): void {
  runClusterEventsGroup(harness, false);
  runClusterRecoveryGroup(harness, true);
}

export { runCoordinationChannelGroup } from './channels-group.js';
export { runClusterEventsGroup } from './cluster-events-group.js';
export {
  type ClusterFixture,
  type ClusterWorker,
  type Consumed,
  consume,
  type FixtureOptions,
  type PushRecord,
  sendRequest,
  signature,
  startClusterFixture,
  startTask,
  stateOf,
  textOf,
  userMessage,
} from './cluster-fixture.js';
export { runClusterRecoveryGroup } from './cluster-recovery-group.js';
export * from './harness.js';
export { runCoordinationLeaseGroup } from './leases-group.js';
export { ASK, ScriptedExecutor, ScriptedRun } from './scripted-executor.js';
export { waitFor } from './wait.js';
