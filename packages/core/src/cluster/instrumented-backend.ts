import {
  countTelemetry,
  currentInstruments,
  type TelemetryCounter,
} from '../telemetry/instruments.js';
import type { TelemetryAttributes } from '../telemetry/otel-api.js';
import { tracedCall } from '../telemetry/traced-call.js';
import type {
  ChannelListener,
  ChannelState,
  CoordinationBackend,
  LeaseAcquireResult,
  LeaseRecord,
  LeaseRequest,
  Unsubscribe,
} from './coordination-backend.js';
import { MemoryCoordinationBackend } from './memory-coordination.js';

/** Transport names of our adapters whose `db.system.name` (semantic conventions) differs. */
const SYSTEM_OF_NAME: Readonly<Record<string, string>> = {
  redis: 'redis',
  postgres: 'postgresql',
  postgresql: 'postgresql',
  'mysql-polling': 'mysql',
  mysql: 'mysql',
  mariadb: 'mariadb',
  'sqlite-polling': 'sqlite',
  sqlite: 'sqlite',
  memory: 'memory',
};

/**
 * Renewals and sweeps run on timers, which keep the context of the request that started them:
 * joined to it, a long task would hang hundreds of spans under one finished request span.
 */
const BACKGROUND = { root: true } as const;

/**
 * `db.system.name` of a backend. Its `name` is free text for custom transports (and the memory
 * hub names workers), so only known names pass: anything else is `other`, never the name itself.
 */
export function coordinationSystem(backend: CoordinationBackend): string {
  if (backend instanceof MemoryCoordinationBackend) return 'memory';
  return SYSTEM_OF_NAME[backend.name] ?? 'other';
}

/** Counts a cluster counter with the backend's `db.system.name` and bounded attributes. */
export type ClusterCount = (
  counter: TelemetryCounter,
  attributes?: TelemetryAttributes,
  value?: number,
) => void;

/**
 * Wraps `backend` so each call the engine makes is a `CLIENT` span named
 * `{operation} coordination`. Only the operation and the system are attributes: lease keys,
 * channel names, holders, tokens and messages stay out (a key is a hash of tenant and owner, a
 * channel embeds it or a worker id). Without an SDK `tracedCall` is a plain call.
 */
export function instrumentBackend(backend: CoordinationBackend): {
  backend: CoordinationBackend;
  count: ClusterCount;
} {
  const system = coordinationSystem(backend);
  const attributesOf = (operation: string): TelemetryAttributes => ({
    'db.system.name': system,
    'db.operation.name': operation,
  });
  const acquire = attributesOf('acquire_lease');
  const renew = attributesOf('renew_lease');
  const release = attributesOf('release_lease');
  const read = attributesOf('read_lease');
  const claim = attributesOf('claim_expired_leases');
  const publish = attributesOf('publish');
  const subscribe = attributesOf('subscribe');
  const count: ClusterCount = (counter, attributes, value = 1) => {
    // Checked first so that, without an SDK, no attribute object is built.
    if (!currentInstruments()?.live) return;
    countTelemetry(counter, value, { 'db.system.name': system, ...attributes });
  };

  const wrapped: CoordinationBackend = {
    name: backend.name,
    acquireLease: (request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> =>
      tracedCall('acquire_lease coordination', acquire, () => backend.acquireLease(request, ttlMs)),
    renewLease: (key: string, holder: string, token: string, ttlMs: number): Promise<boolean> =>
      tracedCall(
        'renew_lease coordination',
        renew,
        () => backend.renewLease(key, holder, token, ttlMs),
        BACKGROUND,
      ),
    releaseLease: (key: string, holder: string, token: string): Promise<void> =>
      tracedCall('release_lease coordination', release, () =>
        backend.releaseLease(key, holder, token),
      ),
    readLease: (key: string): Promise<LeaseRecord | undefined> =>
      tracedCall('read_lease coordination', read, () => backend.readLease(key)),
    claimExpiredLeases: (
      holder: string,
      token: string,
      ttlMs: number,
      limit: number,
    ): Promise<readonly LeaseRecord[]> =>
      tracedCall(
        'claim_expired_leases coordination',
        claim,
        () => backend.claimExpiredLeases(holder, token, ttlMs, limit),
        BACKGROUND,
      ),
    publish: (channel: string, message: string): Promise<void> =>
      tracedCall('publish coordination', publish, () => backend.publish(channel, message)),
    subscribe: (channel: string, listener: ChannelListener): Promise<Unsubscribe> =>
      tracedCall('subscribe coordination', subscribe, () => backend.subscribe(channel, listener)),
    close: () => backend.close(),
  };
  const onChannelState = backend.onChannelState?.bind(backend);
  if (onChannelState) {
    // Kept absent when the transport has none: core reads its presence as "reports state".
    wrapped.onChannelState = (listener: (state: ChannelState) => void) =>
      onChannelState((state) => {
        count('channelStateChanges', { 'a2a_stores.cluster.channel.state': state });
        listener(state);
      });
  }
  return { backend: wrapped, count };
}
