import {
  BackedPushNotificationStore,
  BackedTaskStore,
  measureHealth,
  resolveStoreOptions,
  type StoreBundle,
  type StoreHealth,
} from '@a2a-stores/core';
import { migrateRedis, pendingRedisFormats } from './migrate.js';
import {
  type RedisClient,
  type RedisConnection,
  type RedisStoreOptions,
  resolveRedisOptions,
  validateConnection,
} from './options.js';
import { RedisPushConfigBackend } from './push-backend.js';
import { RedisSession } from './session.js';
import { RedisTaskBackend } from './task-backend.js';

/** What {@link createRedisStores} returns: the stores, `migrate()`, `close()` and the client. */
export interface RedisStoreBundle
  extends StoreBundle<BackedTaskStore, BackedPushNotificationStore> {
  /** The client the stores use: yours, or the one opened from `url` / `cluster`. */
  readonly client: RedisClient;
  /**
   * One read of the format stamp: reachable, `migrate()` run on this prefix (the "schema"),
   * latency. Never throws; an unreachable server or a database index it lacks is a result with
   * `healthy: false`.
   */
  health(): Promise<StoreHealth>;
}

/**
 * Redis (standalone or Cluster) task and push-notification stores for `@a2a-js/sdk`,
 * tenant-scoped, with atomic compare-and-set, the terminal-state guard and keyset paging.
 *
 * @example
 * ```ts
 * import { createRedisStores } from '@a2a-stores/redis';
 * const stores = createRedisStores({ url: 'redis://127.0.0.1:6379' }, { finishedTaskTtl: 86_400_000 });
 * await stores.migrate();
 * // new DefaultRequestHandler(card, stores.taskStore, executor, bus, stores.pushNotificationStore)
 * ```
 */
export function createRedisStores(
  connection: RedisConnection,
  options: RedisStoreOptions = {},
): RedisStoreBundle {
  // Everything is validated before a connection is opened, so a bad option opens nothing.
  validateConnection(connection);
  const redisOptions = resolveRedisOptions(options);
  const storeOptions = resolveStoreOptions(options);
  const session = new RedisSession(connection, redisOptions);
  return {
    taskStore: new BackedTaskStore(new RedisTaskBackend(session), storeOptions),
    pushNotificationStore: new BackedPushNotificationStore(
      new RedisPushConfigBackend(session),
      storeOptions,
    ),
    client: session.client,
    migrate: () => migrateRedis(session),
    close: () => session.close(),
    health: () => measureHealth('Redis', () => pendingRedisFormats(session)),
  };
}
