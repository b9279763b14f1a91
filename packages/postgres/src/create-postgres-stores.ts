import {
  BackedPushNotificationStore,
  BackedTaskStore,
  type MigrationResult,
  measureHealth,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  SchemaGate,
  type ServerAttributes,
  type StoreBundle,
  StoreClosedError,
  type StoreHealth,
  serverOf,
  serverOfUrl,
} from '@a2a-stores/core';
import pg, { type ClientBase, type Pool } from 'pg';
import { type ExecutorContext, PgExecutor, type RunQuery } from './executor.js';
import { findMissingMigrations, migratePostgres } from './migrations.js';
import {
  type PostgresConnection,
  type PostgresNames,
  type PostgresStoreOptions,
  resolvePostgresNames,
} from './options.js';
import { PostgresPushConfigBackend, pushStatements } from './push-backend.js';
import { PostgresTaskBackend } from './task-backend.js';
import { taskStatements } from './task-sql.js';

/** A task store and a push config store bound to one connection or transaction. */
export interface PostgresClientStores {
  readonly taskStore: BackedTaskStore;
  readonly pushNotificationStore: BackedPushNotificationStore;
}

/** What {@link createPostgresStores} returns. */
export interface PostgresStoreBundle
  extends StoreBundle<BackedTaskStore, BackedPushNotificationStore> {
  /**
   * Stores that run every statement on `client`, e.g. inside your own `BEGIN … COMMIT`, so a
   * business write and a task save commit or roll back together. Each store call is a single
   * statement there, so it never commits, rolls back or leaves a savepoint behind. The client
   * stays yours: these stores never release or end it.
   */
  withClient(client: ClientBase): PostgresClientStores;
  /** The schema and table prefix in use. */
  readonly names: Pick<PostgresNames, 'schema' | 'tablePrefix'>;
  /**
   * Reads the migration ledger once: reachable, schema current, latency. Never throws; a
   * misconfigured or unreachable database is a result with `healthy: false`.
   */
  health(): Promise<StoreHealth>;
}

/** Defaults for a pool the adapter creates; anything in `poolConfig` wins. */
const OWNED_POOL_DEFAULTS = {
  // Without it, a call during an outage could wait forever for a connection.
  connectionTimeoutMillis: 10_000,
  keepAlive: true,
} as const;

function openPool(connection: PostgresConnection): { pool: Pool; owned: boolean } {
  if (connection && 'pool' in connection && connection.pool) {
    return { pool: connection.pool, owned: false };
  }
  if (
    connection &&
    'connectionString' in connection &&
    typeof connection.connectionString === 'string'
  ) {
    const pool = new pg.Pool({
      ...OWNED_POOL_DEFAULTS,
      ...connection.poolConfig,
      connectionString: connection.connectionString,
    });
    // An idle connection that breaks (server restart) is dropped by the pool, which then emits
    // 'error'; unhandled, that event would crash the process. The next call reconnects, and
    // calls in flight report the failure themselves.
    pool.on('error', () => {});
    return { pool, owned: true };
  }
  throw new TypeError('createPostgresStores needs { pool } or { connectionString }');
}

/**
 * PostgreSQL stores for `@a2a-js/sdk` agents, over `pg`. Tables are created by `migrate()`
 * only; a store used before that throws `SchemaNotMigratedError` naming the missing steps.
 *
 * @example
 * ```ts
 * import { createPostgresStores } from '@a2a-stores/postgres';
 * const stores = createPostgresStores({ connectionString: process.env.DATABASE_URL! });
 * await stores.migrate();
 * // new DefaultRequestHandler(card, stores.taskStore, executor, bus, stores.pushNotificationStore)
 * ```
 */
export function createPostgresStores(
  connection: PostgresConnection,
  options: PostgresStoreOptions = {},
): PostgresStoreBundle {
  const { schema, tablePrefix, ...coreOptions } = options;
  const names = resolvePostgresNames({ schema, tablePrefix });
  const resolved = resolveStoreOptions(coreOptions);
  const { pool, owned } = openPool(connection);
  let closed = false;
  const context: ExecutorContext = {
    gate: new SchemaGate('PostgreSQL', () => findMissingMigrations(pool, names)),
    isClosed: () => closed,
  };
  const tasks = taskStatements(names);
  const push = pushStatements(names);

  const server = serverOfPool(pool);
  const bind = (run: RunQuery): PostgresClientStores =>
    storesOver(new PgExecutor(run, context), names, resolved, tasks, push, server);

  const main = bind((config) => pool.query(config));
  return {
    ...main,
    names: { schema: names.schema, tablePrefix: names.tablePrefix },
    withClient: (client) => {
      if (!client || typeof client.query !== 'function') {
        throw new TypeError('withClient needs a pg client (e.g. from pool.connect())');
      }
      return bind((config) => client.query(config));
    },
    async migrate(): Promise<MigrationResult> {
      if (closed) throw new StoreClosedError();
      const result = await migratePostgres(pool, names);
      context.gate.markReady();
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
    health: () =>
      measureHealth('PostgreSQL', async () => {
        if (closed) throw new StoreClosedError();
        return findMissingMigrations(pool, names);
      }),
  };
}

/** Host and port for telemetry, from the pool's options; never its connection string. */
function serverOfPool(pool: Pool): ServerAttributes {
  const options = (
    pool as { options?: { connectionString?: string; host?: unknown; port?: unknown } }
  ).options;
  if (!options) return {};
  return typeof options.connectionString === 'string'
    ? serverOfUrl(options.connectionString, 5432)
    : serverOf(options.host, options.port, 5432);
}

function storesOver(
  db: PgExecutor,
  names: PostgresNames,
  options: ResolvedStoreOptions,
  tasks: ReturnType<typeof taskStatements>,
  push: ReturnType<typeof pushStatements>,
  server: ServerAttributes,
): PostgresClientStores {
  const table = (suffix: string) => ({
    system: 'postgresql',
    collection: `${names.schema}.${names.tablePrefix}${suffix}`,
    ...server,
  });
  return {
    taskStore: new BackedTaskStore(
      new PostgresTaskBackend(db, names, tasks),
      options,
      table('tasks'),
    ),
    pushNotificationStore: new BackedPushNotificationStore(
      new PostgresPushConfigBackend(db, push),
      options,
      table('push_configs'),
    ),
  };
}
