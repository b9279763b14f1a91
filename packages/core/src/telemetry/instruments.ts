import {
  type OpenTelemetryApi,
  type OtelCounter,
  type OtelHistogram,
  type OtelTracer,
  onApiChange,
  openTelemetryApi,
  type TelemetryAttributes,
} from './otel-api.js';

/** Instrumentation scope name of every span and metric a2a-stores emits. */
export const INSTRUMENTATION_NAME = '@a2a-stores/core';

/**
 * The counters a2a-stores emits (all under `a2a_stores.`); docs/observability.md lists their
 * attributes. Each attribute takes a small fixed set of values: no ids, tenants or owners.
 */
export const TELEMETRY_COUNTERS = {
  versionConflicts: {
    name: 'a2a_stores.task.version_conflicts',
    description: 'saveIfVersion calls refused because the stored version differed',
  },
  staleWrites: {
    name: 'a2a_stores.task.stale_writes',
    description:
      'Writes that would have moved a terminal task to another state (dropped or refused)',
  },
  corruptRecords: {
    name: 'a2a_stores.records.corrupt',
    description: 'Stored records that could not be decoded (skipped by list, refused by load)',
  },
  scopeRefusals: {
    name: 'a2a_stores.scope.refusals',
    description: 'Calls refused because no valid tenant/owner scope could be resolved',
  },
  purgedTasks: {
    name: 'a2a_stores.purge.deleted_tasks',
    description: 'Tasks (with their push configs) deleted by purge',
  },
  pushDeliveries: {
    name: 'a2a_stores.push.deliveries',
    description: 'Push notification deliveries by outcome',
  },
  passportVerifications: {
    name: 'a2a_stores.passport.verifications',
    description: 'Secure Passport verifications by status',
  },
  dataKeyCacheLookups: {
    name: 'a2a_stores.kms.data_key_cache.lookups',
    description: 'KMS data-key cache lookups by result (hit or miss)',
  },
  keyringCalls: {
    name: 'a2a_stores.kms.keyring.calls',
    description: 'Calls to a KMS keyring (generate, encrypt, decrypt) by outcome',
  },
  clusterRecoveries: {
    name: 'a2a_stores.cluster.recoveries',
    description: "Orphaned tasks (a dead worker's expired lease) recovered by outcome",
  },
  clusterCancels: {
    name: 'a2a_stores.cluster.cancels',
    description: 'Cancel requests a cluster worker handled, by route',
  },
  leaseRenewalsLost: {
    name: 'a2a_stores.cluster.lease_renewals_lost',
    description: 'Running executions whose lease another worker took over (relaying stopped)',
  },
  channelStateChanges: {
    name: 'a2a_stores.cluster.channel_state_changes',
    description: 'Coordination push channel going down or coming back up',
  },
  followUpsRefusedBusy: {
    name: 'a2a_stores.cluster.follow_ups_refused_busy',
    description: 'Messages to a task running on another worker refused with TaskBusyError',
  },
} as const;

export type TelemetryCounter = keyof typeof TELEMETRY_COUNTERS;

/** Seconds, as the database semantic conventions recommend for `db.client.operation.duration`. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

interface Instruments {
  readonly api: OpenTelemetryApi;
  readonly provider: unknown;
  readonly tracerDelegate: unknown;
  /**
   * False while neither a tracer nor a meter provider is registered: calls then skip the API
   * altogether, so a process with the package but no SDK pays two lookups per call, no span.
   */
  readonly live: boolean;
  readonly tracer: OtelTracer;
  readonly duration: OtelHistogram;
  readonly counters: Record<TelemetryCounter, OtelCounter>;
}

let cached: Instruments | undefined;
onApiChange(() => {
  cached = undefined;
});

/**
 * The instruments over the current API and meter provider, or `undefined` without the API.
 * A meter taken before the SDK registered its provider would stay a no-op forever, so the cache
 * follows the registered provider.
 */
export function currentInstruments(): Instruments | undefined {
  const api = openTelemetryApi();
  if (!api) return undefined;
  const provider = api.metrics.getMeterProvider();
  const tracerProvider = api.trace.getTracerProvider();
  // Without `getDelegate` (not the API's proxy) the provider itself is the delegate.
  const tracerDelegate = tracerProvider.getDelegate?.() ?? tracerProvider;
  if (
    cached &&
    cached.api === api &&
    cached.provider === provider &&
    cached.tracerDelegate === tracerDelegate
  ) {
    return cached;
  }
  const meter = provider.getMeter(INSTRUMENTATION_NAME);
  const counters = {} as Record<TelemetryCounter, OtelCounter>;
  for (const key of Object.keys(TELEMETRY_COUNTERS) as TelemetryCounter[]) {
    const { name, description } = TELEMETRY_COUNTERS[key];
    counters[key] = meter.createCounter(name, { description, unit: '{count}' });
  }
  cached = {
    api,
    provider,
    tracerDelegate,
    live: !(isNoop(provider, 'NoopMeterProvider') && isNoop(tracerDelegate, 'NoopTracerProvider')),
    tracer: tracerProvider.getTracer(INSTRUMENTATION_NAME),
    duration: meter.createHistogram('db.client.operation.duration', {
      description: 'Duration of a2a-stores store operations',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    counters,
  };
  return cached;
}

/** The API's own no-op providers, recognised by class name (unminified in every 1.x build). */
function isNoop(provider: unknown, className: string): boolean {
  return (provider as { constructor?: { name?: string } })?.constructor?.name === className;
}

/** Adds to one of the {@link TELEMETRY_COUNTERS}; a no-op without `@opentelemetry/api`. */
export function countTelemetry(
  counter: TelemetryCounter,
  value: number,
  attributes?: TelemetryAttributes,
): void {
  if (value <= 0) return;
  const instruments = currentInstruments();
  if (instruments?.live) instruments.counters[counter].add(value, attributes);
}
