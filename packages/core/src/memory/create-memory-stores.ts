import { BackedPushNotificationStore } from '../backed-push-store.js';
import { BackedTaskStore } from '../backed-task-store.js';
import type { StoreBundle } from '../contracts.js';
import { measureHealth } from '../health.js';
import { type CoreStoreOptions, resolveStoreOptions } from '../options.js';
import { MemoryPushConfigBackend, MemoryState, MemoryTaskBackend } from './memory-backend.js';

/**
 * In-memory stores implementing the whole extended contract: for tests, for development, and to
 * run the conformance suite against the reference semantics. Not durable, single process.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from '@a2a-stores/core';
 * const { taskStore, pushNotificationStore } = createMemoryStores();
 * ```
 */
export function createMemoryStores(options: CoreStoreOptions = {}): StoreBundle {
  const resolved = resolveStoreOptions(options);
  const state = new MemoryState();
  return {
    taskStore: new BackedTaskStore(new MemoryTaskBackend(state), resolved, {
      system: 'memory',
      collection: 'tasks',
    }),
    pushNotificationStore: new BackedPushNotificationStore(
      new MemoryPushConfigBackend(state),
      resolved,
      { system: 'memory', collection: 'push_configs' },
    ),
    migrate: async () => ({ applied: [], current: [] }),
    close: async () => state.clear(),
    health: () => measureHealth('memory', async () => []),
  };
}
