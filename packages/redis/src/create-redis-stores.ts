import {
  BackedPushNotificationStore,
  BackedTaskStore,
  measureHealth,
  type PurgeOptions,
  resolveStoreOptions,
  type StoreBundle,
  type StoreHealth,
  type StoreTelemetryAttributes,
  serverOf,
} from '@a2a-stores/core';
import type { Redis } from 'ioredis';
import { migrateRedis, pendingRedisFormats } from './migrate.js';
import {
  type RedisClient,
  type RedisConnection,
  type RedisStoreOptions,
  resolveRedisOptions,
  validateConnection,
} from './options.js';
import { countPurgeable } from './purge-count.js';
import { RedisPushConfigBackend } from './push-backend.js';
import { RedisSession } from './session.js';
import { RedisTaskBackend } from './task-backend.js';

/** What {@link createRedisStores} returns: the stores, `migrate()`, `close()` and the client. */
export interface RedisStoreBundle
  extends StoreBundle<BackedTaskStore, BackedPushNotificationStore> {
  /** The client the stores use: yours, or the one opened from `url` / `cluster` / `sentinels`. */
  readonly client: RedisClient;
  /**
   * One read of the format stamp: reachable, `migrate()` run on this prefix (the "schema"),
   * latency. Never throws; an unreachable server or a database index it lacks is a result with
   * `healthy: false`.
   */
  health(): Promise<StoreHealth>;
  /**
   * The dry run of `taskStore.purge(options)`: how many tasks it would delete at this moment,
   * deleting nothing and writing no key (not the registry, not the format stamp). Same option
   * checks (`InvalidInputError`), same scopes (one, or every registered one) and the same
   * selection as the purge, by read-only script calls on each scope's slot, so it works on a
   * Cluster too. `onProgress` gets the running count after each batch. Writes made meanwhile
   * (by agents, or by retention) can make the purge that follows delete a different number.
   *
   * @example
   * ```ts
   * const olderThan = new Date(Date.now() - 30 * 86_400_000);
   * const wouldDelete = await stores.countPurgeable({ olderThan });
   * ```
   */
  countPurgeable(options: PurgeOptions): Promise<number>;
}

/**
 * Telemetry attributes: host, port and database index of a standalone client (never its URL,
 * user or password); a Cluster has no single server, so only the system. The collection names
 * are the key families, since Redis has no tables.
 */
function telemetryOfClient(client: RedisClient): StoreTelemetryAttributes {
  if (client.isCluster) return { system: 'redis' };
  const options = (client as Redis).options ?? {};
  const db = Number(options.db ?? 0);
  return {
    system: 'redis',
    ...(options.path
      ? { serverAddress: options.path }
      : serverOf(options.host, options.port, 6379)),
    ...(Number.isInteger(db) && { namespace: String(db) }),
  };
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
  const server = telemetryOfClient(session.client);
  return {
    taskStore: new BackedTaskStore(new RedisTaskBackend(session), storeOptions, {
      ...server,
      collection: 'tasks',
    }),
    pushNotificationStore: new BackedPushNotificationStore(
      new RedisPushConfigBackend(session),
      storeOptions,
      { ...server, collection: 'push_configs' },
    ),
    client: session.client,
    migrate: () => migrateRedis(session),
    close: () => session.close(),
    health: () => measureHealth('Redis', () => pendingRedisFormats(session)),
    countPurgeable: (options) => countPurgeable(session, storeOptions, options),
  };
}
