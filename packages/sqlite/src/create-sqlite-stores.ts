import {
  BackedPushNotificationStore,
  BackedTaskStore,
  measureHealth,
  resolveStoreOptions,
  type StoreBundle,
  type StoreHealth,
} from '@a2a-stores/core';
import { openDatabaseFile } from './open-database.js';
import {
  resolveSqliteOptions,
  type SqliteConnection,
  type SqliteDatabase,
  type SqliteStoreOptions,
} from './options.js';
import { SqlitePushConfigBackend } from './push-backend.js';
import { scrubDatabase } from './scrub.js';
import { SqliteSession } from './session.js';
import { schemaNames } from './sql.js';
import { SqliteTaskBackend } from './task-backend.js';

/** What {@link createSqliteStores} returns: the stores, `migrate()`, `close()` and the connection. */
export interface SqliteStoreBundle
  extends StoreBundle<BackedTaskStore, BackedPushNotificationStore> {
  /** The connection the stores use: yours, or the one opened from `filename`. */
  readonly database: SqliteDatabase;
  /**
   * Reads the migration ledger: reachable (the file is readable), schema current, latency.
   * Never throws; a problem is a result with `healthy: false`.
   */
  health(): Promise<StoreHealth>;
  /**
   * Leaves no bytes of deleted or overwritten rows in the file or its WAL (`VACUUM`, then a
   * truncating checkpoint). Run it after moving a store to encryption (every record re-written
   * sealed): until then old plaintext copies stay in free pages. Holds the write lock meanwhile;
   * `StoreUnavailableError` if another connection kept the checkpoint from finishing.
   */
  scrub(): Promise<void>;
}

/**
 * SQLite task and push-notification stores for `@a2a-js/sdk`, tenant-scoped and durable.
 * Creates no schema: call `migrate()` once (it is idempotent) before using the stores.
 *
 * @example
 * ```ts
 * import { createSqliteStores } from '@a2a-stores/sqlite';
 * const stores = createSqliteStores({ filename: './data/a2a.db' });
 * await stores.migrate();
 * // new DefaultRequestHandler(card, stores.taskStore, executor, undefined, stores.pushNotificationStore)
 * ```
 */
export function createSqliteStores(
  connection: SqliteConnection,
  options: SqliteStoreOptions = {},
): SqliteStoreBundle {
  // Everything is validated before a file is touched, so a bad option opens nothing.
  const sqliteOptions = resolveSqliteOptions(connection, options);
  const storeOptions = resolveStoreOptions(options);
  const target = sqliteOptions.connection;
  const ownsDatabase = target.kind === 'file';
  const database =
    target.kind === 'file'
      ? openDatabaseFile(target.filename, sqliteOptions.busyTimeoutMs, sqliteOptions.secureDelete)
      : target.database;
  const session = new SqliteSession(database, schemaNames(sqliteOptions.tablePrefix), ownsDatabase);
  return {
    // The file path stays out of telemetry: it can name a user's home directory.
    taskStore: new BackedTaskStore(new SqliteTaskBackend(session), storeOptions, {
      system: 'sqlite',
      collection: `${sqliteOptions.tablePrefix}tasks`,
    }),
    pushNotificationStore: new BackedPushNotificationStore(
      new SqlitePushConfigBackend(session),
      storeOptions,
      { system: 'sqlite', collection: `${sqliteOptions.tablePrefix}push_configs` },
    ),
    database,
    migrate: async () => session.migrate(storeOptions.now()),
    scrub: async () => session.exclusive(scrubDatabase),
    close: async () => session.close(),
    health: () => measureHealth('SQLite', async () => session.pendingMigrations()),
  };
}
