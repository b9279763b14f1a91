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
import type { ClientBase, Pool } from 'pg';
import { type ExecutorContext, PgExecutor, type PgTarget } from './executor.js';
import { findMissingMigrations, migratePostgres } from './migrations.js';
import { openPool } from './open-pool.js';
import {
  type PostgresConnection,
  type PostgresNames,
  type PostgresPoolerMode,
  type PostgresStoreOptions,
  resolvePoolerMode,
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
   * The pooler mode in effect: `'transaction'` when configured so or once `'auto'` detected a
   * transaction pooler, else `'auto'`.
   */
  readonly pooler: PostgresPoolerMode;
  /**
   * Reads the migration ledger once: reachable, schema current, latency. Never throws; a
   * misconfigured or unreachable database is a result with `healthy: false`.
   */
  health(): Promise<StoreHealth>;
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
  const { schema, tablePrefix, pooler, ...coreOptions } = options;
  const names = resolvePostgresNames({ schema, tablePrefix });
  const poolerMode = resolvePoolerMode(pooler);
  const resolved = resolveStoreOptions(coreOptions);
  const { pool, owned } = openPool(connection, 'createPostgresStores');
  let closed = false;
  const context: ExecutorContext = {
    gate: new SchemaGate('PostgreSQL', () => findMissingMigrations(pool, names)),
    isClosed: () => closed,
    pooler: {
      transactionPooling: poolerMode === 'transaction',
      onDetected: () =>
        resolved.logger.warn(
          'PostgreSQL stores: a transaction pooler dropped a named prepared statement; using pooler mode "transaction" from now on (set pooler: "transaction" to start in it)',
        ),
    },
  };
  const tasks = taskStatements(names);
  const push = pushStatements(names);

  const server = serverOfPool(pool);
  const bind = (target: PgTarget): PostgresClientStores =>
    storesOver(new PgExecutor(target, context), names, resolved, tasks, push, server);

  const main = bind({ run: (config) => pool.query(config), onPool: true });
  return {
    ...main,
    names: { schema: names.schema, tablePrefix: names.tablePrefix },
    get pooler(): PostgresPoolerMode {
      return context.pooler.transactionPooling ? 'transaction' : 'auto';
    },
    withClient: (client) => {
      if (!client || typeof client.query !== 'function') {
        throw new TypeError('withClient needs a pg client (e.g. from pool.connect())');
      }
      return bind({ run: (config) => client.query(config), onPool: false });
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
    taskStore: new BackedTaskStore(new PostgresTaskBackend(db, tasks), options, table('tasks')),
    pushNotificationStore: new BackedPushNotificationStore(
      new PostgresPushConfigBackend(db, push),
      options,
      table('push_configs'),
    ),
  };
}
