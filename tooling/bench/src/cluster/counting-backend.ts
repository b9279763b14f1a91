import type { CoordinationBackend } from '@a2a-stores/core';

/** Backend calls counted by {@link countingBackend}, by method. */
export interface BackendCallCounts {
  acquireLease: number;
  renewLease: number;
  releaseLease: number;
  readLease: number;
  claimExpiredLeases: number;
  publish: number;
  subscribe: number;
}

export function zeroCounts(): BackendCallCounts {
  return {
    acquireLease: 0,
    renewLease: 0,
    releaseLease: 0,
    readLease: 0,
    claimExpiredLeases: 0,
    publish: 0,
    subscribe: 0,
  };
}

/**
 * Wraps `backend` so every call that reaches the store is counted in `counts` (shared, so
 * several workers' wrappers can add into one tally). Calls are counted when made, failed or not:
 * a failed call still went to the store.
 */
export function countingBackend(
  backend: CoordinationBackend,
  counts: BackendCallCounts,
): CoordinationBackend {
  const wrapped: CoordinationBackend = {
    name: backend.name,
    acquireLease: (request, ttlMs) => {
      counts.acquireLease += 1;
      return backend.acquireLease(request, ttlMs);
    },
    renewLease: (key, holder, token, ttlMs) => {
      counts.renewLease += 1;
      return backend.renewLease(key, holder, token, ttlMs);
    },
    releaseLease: (key, holder, token) => {
      counts.releaseLease += 1;
      return backend.releaseLease(key, holder, token);
    },
    readLease: (key) => {
      counts.readLease += 1;
      return backend.readLease(key);
    },
    claimExpiredLeases: (holder, token, ttlMs, limit) => {
      counts.claimExpiredLeases += 1;
      return backend.claimExpiredLeases(holder, token, ttlMs, limit);
    },
    publish: (channel, message) => {
      counts.publish += 1;
      return backend.publish(channel, message);
    },
    subscribe: (channel, listener) => {
      counts.subscribe += 1;
      return backend.subscribe(channel, listener);
    },
    close: () => backend.close(),
  };
  // Kept only when the transport reports channel state: core treats its presence as a promise.
  if (backend.onChannelState) {
    const onChannelState = backend.onChannelState.bind(backend);
    return { ...wrapped, onChannelState };
  }
  return wrapped;
}
