export * from './backend/append-fixtures.js';
export * from './backend/task-backend-appends.js';
export * from './coordination/index.js';
export { runAnonymousPolicyGroup } from './groups/anonymous-policy.js';
export { runAppendsGroup } from './groups/appends.js';
export { runCopiesGroup } from './groups/copies.js';
export { runCorruptRecordsGroup } from './groups/corrupt-records.js';
export { runDeleteGroup } from './groups/delete.js';
export { runInputLimitsGroup } from './groups/input-limits.js';
export { runListOrderGroup } from './groups/list-order.js';
export { runListPagingGroup } from './groups/list-paging.js';
export { runListShapingGroup } from './groups/list-shaping.js';
export {
  type PropertyGroupOptions,
  runPropertyGroup,
} from './groups/properties.js';
export { runPurgeGroup } from './groups/purge.js';
export { runPushConfigGroup } from './groups/push-configs.js';
export { HOSTILE_PUSH_URLS, runPushUrlSafetyGroup } from './groups/push-url-safety.js';
export { runRawProbeGroup } from './groups/raw-probe.js';
export { runRoundTripGroup } from './groups/round-trip.js';
export { runScopeIsolationGroup } from './groups/scope-isolation.js';
export { runShortHistoryGroup } from './groups/short-history.js';
export { runStaleWritesGroup } from './groups/stale-writes.js';
export { runVersionedGroup } from './groups/versioned.js';
export * from './harness.js';
export { expectSameTask, rejectionOf } from './helpers/assertions.js';
export { deferredProbe } from './helpers/deferred-probe.js';
export {
  AuthenticatedTestUser,
  anonymousContext,
  type CallContextOptions,
  callContext,
  randomId,
  randomScope,
} from './helpers/identity.js';
export {
  type ConformanceEnv,
  conformanceTest,
  type GroupOptions,
  loadWithMetadata,
  type ProbeNeed,
  type RecordedHooks,
  type Requirement,
  recordHooks,
  scopedPushStore,
  scopedTaskStore,
  silentLogger,
  skipReason,
  useHarness,
} from './helpers/lifecycle.js';
export {
  DEFAULT_PROPERTY_RUNS,
  type PropertyRuns,
  propertyRunsFromEnv,
} from './helpers/property-runs.js';
export { CONFORMANCE_PUSH_HOST, conformancePushUrlCheck } from './helpers/push-url.js';
export {
  BASE_TIME,
  dataPart,
  expectedListOrder,
  isoAt,
  listAll,
  listRequest,
  makeArtifact,
  makeMessage,
  makePushConfig,
  makeTask,
  pushUrl,
  rawPart,
  saveAll,
  type TaskSpec,
  textPart,
  urlPart,
} from './helpers/tasks.js';
export {
  type ConformanceGroup,
  type ConformanceGroupName,
  conformanceGroups,
  runStoreConformance,
  type StoreConformanceOptions,
} from './run-store-conformance.js';
