import {
  BackedPushNotificationStore,
  BackedTaskStore,
  type MigrationResult,
  measureHealth,
  resolveStoreOptions,
  type StoreBundle,
  StoreClosedError,
  type StoreHealth,
  type StoreTelemetryAttributes,
  serverOf,
} from '@a2a-stores/core';
import { type Connection, createPool, type Pool } from 'mysql2/promise';
import { executorOf } from './executor.js';
import { runMigrations } from './migrations.js';
import { translateError } from './mysql-errors.js';
import {
  type MysqlConnectionOptions,
  type MysqlStoreOptions,
  type MysqlUriSource,
  tableNames,
} from './options.js';
import { MysqlPushConfigBackend } from './push-backend.js';
import { missingMigrations } from './schema-check.js';
import { createSharedState, SqlRunner } from './sql-runner.js';
import { MysqlTaskBackend } from './task-backend.js';

/** A task store and a push config store bound to one place their statements run. */
export interface MysqlBoundStores {
  readonly taskStore: BackedTaskStore;
  readonly pushNotificationStore: BackedPushNotificationStore;
}

/** What {@link createMysqlStores} returns. */
export interface MysqlStores
  extends StoreBundle<BackedTaskStore, BackedPushNotificationStore>,
    MysqlBoundStores {
  /** The pool the stores use: yours, or the one created from `uri` (for your transactions). */
  readonly pool: Pool;
  /**
   * Stores whose statements run on `connection`, inside the transaction you opened on it: they
   * commit or roll back with your own writes. Nothing here begins, commits or releases it.
   * A store write that fails (a deadlock, a lost connection) leaves the transaction yours to
   * roll back. The schema must already be migrated.
   */
  withConnection(connection: Connection): MysqlBoundStores;
  /**
   * Reads the migration ledger once: reachable, schema current, latency. Never throws; a
   * misconfigured or unreachable server is a result with `healthy: false`.
   */
  health(): Promise<StoreHealth>;
}

/**
 * Strict mode on every connection the stores open: a value that does not fit is an error, never
 * a silent truncation. Set in full, so a server default of ANSI_QUOTES or NO_BACKSLASH_ESCAPES
 * cannot change how statements parse.
 */
export const SESSION_SQL_MODE =
  'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/**
 * Defaults of a pool the stores create, under your `poolOptions`. `trace: false`: mysql2 would
 * otherwise capture a stack trace on every query in case it fails (about 20 µs of a 250 µs
 * load here); a failure still surfaces as a typed store error whose own stack names the caller.
 */
const OWNED_POOL_DEFAULTS = { trace: false } as const;

/** A pool from a URI with the stores' defaults and strict sql_mode on every connection. */
export function createOwnedPool(source: MysqlUriSource): Pool {
  const pool = createPool({ ...OWNED_POOL_DEFAULTS, ...source.poolOptions, uri: source.uri });
  // Queued before the first statement of each new connection, so no statement runs unstrict.
  pool.pool.on('connection', (connection) => {
    connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}'`, () => undefined);
  });
  return pool;
}

/**
 * Telemetry attributes from the pool's parsed connection settings: host, port and database name
 * (never the URI, user or password). `mysql` for MariaDB too: the flavour is only known once a
 * connection has answered, and spans are named before that.
 */
function telemetryOfPool(pool: Pool): StoreTelemetryAttributes {
  const settings = (pool as { pool?: { config?: { connectionConfig?: Record<string, unknown> } } })
    .pool?.config?.connectionConfig;
  const database = settings?.database;
  return {
    system: 'mysql',
    ...serverOf(settings?.host, settings?.port, 3306),
    ...(typeof database === 'string' && database !== '' && { namespace: database }),
  };
}

/**
 * Durable, tenant-scoped stores for `@a2a-js/sdk` on MySQL 8.0+ or MariaDB 10.11+ (mysql2).
 * Run `migrate()` once (it is idempotent and safe from several workers) before using them.
 *
 * @example
 * ```ts
 * import { createMysqlStores } from '@a2a-stores/mysql';
 * const stores = createMysqlStores({ uri: 'mysql://app@127.0.0.1:3306/agents' });
 * await stores.migrate();
 * // new DefaultRequestHandler(card, stores.taskStore, executor, bus, stores.pushNotificationStore)
 * ```
 */
export function createMysqlStores(
  connection: MysqlConnectionOptions,
  options: MysqlStoreOptions = {},
): MysqlStores {
  const { tablePrefix, ...coreOptions } = options;
  const tables = tableNames(tablePrefix);
  const resolved = resolveStoreOptions(coreOptions);
  let pool: Pool;
  if (connection?.pool) pool = connection.pool;
  else if (typeof connection?.uri === 'string' && connection.uri !== '')
    pool = createOwnedPool(connection);
  else throw new TypeError('createMysqlStores needs { pool } or { uri }');
  const owned = pool !== connection.pool;
  const shared = createSharedState(pool, tables, resolved.limits);
  const server = telemetryOfPool(pool);
  const table = (suffix: string): StoreTelemetryAttributes => ({
    ...server,
    collection: `${tables.prefix}${suffix}`,
  });
  const bind = (runner: SqlRunner): MysqlBoundStores => ({
    taskStore: new BackedTaskStore(new MysqlTaskBackend(runner), resolved, table('tasks')),
    pushNotificationStore: new BackedPushNotificationStore(
      new MysqlPushConfigBackend(runner),
      resolved,
      table('push_configs'),
    ),
  });

  return {
    ...bind(new SqlRunner({ pool }, shared)),
    pool,
    withConnection(connection: Connection): MysqlBoundStores {
      if (!connection || typeof connection.execute !== 'function') {
        throw new TypeError(
          'withConnection needs a mysql2/promise connection (e.g. from pool.getConnection())',
        );
      }
      return bind(new SqlRunner({ connection }, shared));
    },
    async migrate(): Promise<MigrationResult> {
      if (shared.closed) throw new StoreClosedError();
      try {
        const result = await runMigrations(pool, tables);
        // Fail here, not on the first request, when the server cannot hold the configured limits.
        await shared.gate.ensure();
        return result;
      } catch (error) {
        throw translateError(error, 'migrate');
      }
    },
    health: () =>
      measureHealth('MySQL', async () => {
        if (shared.closed) throw new StoreClosedError();
        try {
          return await missingMigrations(executorOf(pool), tables);
        } catch (error) {
          throw translateError(error, 'health');
        }
      }),
    async close(): Promise<void> {
      if (shared.closed) return;
      shared.closed = true;
      if (owned) await pool.end();
    },
  };
}
