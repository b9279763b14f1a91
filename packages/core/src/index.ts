export {
  RECENT_MAX_BYTES,
  RECENT_REACHES_ALL,
  type RecentHistory,
} from './append/recent-history.js';
export { BackedPushNotificationStore } from './backed-push-store.js';
export { BackedTaskStore } from './backed-task-store.js';
export type {
  BackendListQuery,
  BackendListResult,
  BackendPurgeQuery,
  EncodedTaskAppend,
  ExpectedVersion,
  KnownTaskVersion,
  PushConfigBackend,
  PushPutOutcome,
  PutOutcome,
  TaskBackend,
  TaskRow,
  TaskSegment,
} from './backend.js';
export { ClusterRequestHandler } from './cluster/cluster-request-handler.js';
export type {
  ChannelListener,
  ChannelState,
  CoordinationBackend,
  LeaseAcquireResult,
  LeaseRecord,
  LeaseRequest,
  Unsubscribe,
} from './cluster/coordination-backend.js';
export {
  type Cluster,
  createCluster,
  type LeaseDescription,
} from './cluster/create-cluster.js';
export type {
  CancelEnvelope,
  CancelResultEnvelope,
  EndEnvelope,
  Envelope,
  EventEnvelope,
} from './cluster/envelopes.js';
export { decodeEnvelope, encodeEnvelope } from './cluster/envelopes.js';
export { ClusterEventBusManager } from './cluster/event-bus-manager.js';
export { leaseKey, taskChannel, workerChannel } from './cluster/keys.js';
export {
  createMemoryCoordination,
  MemoryCoordinationBackend,
  type MemoryCoordinationHub,
  type MemoryCoordinationOptions,
} from './cluster/memory-coordination.js';
export { OncePushNotificationSender } from './cluster/once-push-sender.js';
export {
  type ClusterOptions,
  defaultContextForScope,
  type RecoveryPolicy,
} from './cluster/options.js';
export * from './cluster/polling/index.js';
export { ORPHAN_FAILURE_TEXT } from './cluster/recovery.js';
export type { ClusterStats } from './cluster/stats.js';
export {
  type ConfigurationProblem,
  StoreConfigurationError,
} from './configuration-error.js';
export type {
  MigrationResult,
  PurgeOptions,
  PurgeResult,
  ScopedPushNotificationStore,
  ScopedTaskStore,
  StoreBundle,
  VersionedTask,
} from './contracts.js';
export {
  CoordinationUnavailableError,
  CorruptRecordError,
  FollowUpRefusedError,
  InvalidInputError,
  PayloadTooLargeError,
  PushConfigLimitError,
  PushUrlRejectedError,
  SchemaNotMigratedError,
  type ScopeFailure,
  ScopeRefusedError,
  ScopeResolutionError,
  StaleWriteError,
  StoreClosedError,
  StoreError,
  type StoreErrorCode,
  StoreUnavailableError,
  TaskBusyError,
  unreachableError,
  VersionConflictError,
} from './errors.js';
export { measureHealth, type StoreHealth } from './health.js';
export {
  type CorruptRecordEvent,
  fireHook,
  type StaleWriteEvent,
  type StoreHooks,
  type StoreLogger,
} from './hooks.js';
export { isKnownVersion, unchangedTaskRow } from './known-version.js';
export {
  assertValidId,
  DEFAULT_LIMITS,
  MAX_ID_LENGTH,
  resolveLimits,
  type StoreLimits,
} from './limits.js';
export {
  compareIds,
  DEFAULT_PAGE_SIZE,
  isAfterCursor,
  type ListQuery,
  MAX_PAGE_SIZE,
  normalizeListRequest,
  trimHistory,
} from './list-query.js';
export { createMemoryStores } from './memory/create-memory-stores.js';
export {
  type CoreStoreOptions,
  type PushUrlCheck,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type StaleWritePolicy,
} from './options.js';
export {
  decodePageToken,
  encodePageToken,
  type PageBinding,
  type PageCursor,
} from './page-token.js';
export {
  hasPushConfigSavePreflight,
  hasTaskSavePreflight,
  type PushConfigSavePreflight,
  type TaskSavePreflight,
  validatePushConfigInput,
  validateTaskInput,
} from './preflight.js';
export { decodePushConfig, type EncodedPushConfig, encodePushConfig } from './push-config-codec.js';
export { PushDeliveryError, type PushDeliveryFailure } from './push-sender/delivery-error.js';
export { GuardedPushNotificationSender } from './push-sender/guarded-push-sender.js';
export type {
  GuardedPushSenderOptions,
  PushDeliveryEvent,
  PushRetryOptions,
} from './push-sender/sender-options.js';
export {
  type AddressClass,
  classifyAddress,
  embeddedIPv4,
  type IpAddress,
  isCloudMetadataAddress,
  parseIpAddress,
} from './push-url/address-classification.js';
export { assertHeaderSafePushAuth, type PushAuthFields } from './push-url/header-safety.js';
export { type ParsedPushUrl, type PushUrlHost, parsePushUrl } from './push-url/parse-push-url.js';
export {
  createPushUrlPolicy,
  type PushUrlPolicy,
  type PushUrlPolicyOptions,
  type ValidatedAddress,
  type ValidatedPushUrl,
} from './push-url/push-url-policy.js';
export type { PushUrlRejectionReason } from './push-url/rejection.js';
export { type PushHostResolver, systemHostResolver } from './push-url/resolve-host.js';
export { DelegatingRequestHandler } from './request-handler/delegating-request-handler.js';
export {
  type ScopeGuardOptions,
  ScopeGuardRequestHandler,
} from './request-handler/scope-guard-request-handler.js';
export {
  ANONYMOUS_OWNER,
  type AnonymousPolicy,
  type DefaultScopeResolverOptions,
  defaultScopeResolver,
  resolveScope,
  type Scope,
  type ScopeResolver,
} from './scope.js';
export * from './sql/index.js';
export {
  canonicalTask,
  decodeTask,
  type EncodedTask,
  encodeTask,
  MISSING_TIMESTAMP_KEY,
  timestampSortKey,
} from './task-codec.js';
export { isStaleTransition, isTerminalState, TERMINAL_STATES } from './task-states.js';
export {
  countTelemetry,
  INSTRUMENTATION_NAME,
  TELEMETRY_COUNTERS,
  type TelemetryCounter,
} from './telemetry/instruments.js';
export {
  type OpenTelemetryApi,
  openTelemetryApi,
  type TelemetryAttributes,
  useOpenTelemetryApi,
} from './telemetry/otel-api.js';
export {
  type ServerAttributes,
  serverOf,
  serverOfUrl,
} from './telemetry/server-attributes.js';
export {
  StoreTelemetry,
  type StoreTelemetryAttributes,
} from './telemetry/store-telemetry.js';
export { errorTypeOf, type TracedCallOptions, tracedCall } from './telemetry/traced-call.js';
