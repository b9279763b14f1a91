import {
  type ChannelListener,
  type ChannelState,
  type CoordinationBackend,
  type MigrationResult,
  SchemaGate,
  StoreClosedError,
  type StoreLogger,
} from '@a2a-stores/core';
import { PgExecutor } from '../executor.js';
import { findMissingMigrations, migratePostgres } from '../migrations.js';
import { openPool } from '../open-pool.js';
import { type PostgresNames, resolvePostgresNames } from '../options.js';
import { ChannelHub } from './channel-hub.js';
import { leaseStatements } from './lease-sql.js';
import { PostgresLeases } from './leases.js';
import { ListenConnection } from './listen-connection.js';
import {
  DEFAULT_APPLICATION_NAME,
  type PostgresCoordinationOptions,
  resolveListenSettings,
} from './options.js';
import { NotifyPublisher, publishStatements } from './publisher.js';
import { assertName } from './validate.js';

/** What {@link createPostgresCoordination} returns. */
export interface PostgresCoordination extends CoordinationBackend {
  /**
   * The same versioned `migrate()` as the stores' (one ledger): creates the leases and spill
   * tables with every other pending step. Run either one; both are idempotent.
   */
  migrate(): Promise<MigrationResult>;
  /** The schema and table prefix in use. */
  readonly names: Pick<PostgresNames, 'schema' | 'tablePrefix'>;
}

const consoleLogger: StoreLogger = { warn: (message) => console.warn(message) };

/**
 * The PostgreSQL transport of multi-worker coordination: execution leases in a table, and
 * messages over LISTEN/NOTIFY on one dedicated connection per worker (payloads over NOTIFY's
 * limit go through a spill table). Give it the stores' pool and schema.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createPostgresCoordination, createPostgresStores } from '@a2a-stores/postgres';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const stores = createPostgresStores({ pool });
 * await stores.migrate(); // creates the coordination tables too
 * const coordination = createPostgresCoordination({ pool });
 * const stop = await coordination.subscribe('news', (message) => console.log(message));
 * await coordination.publish('news', 'hello');
 * await stop();
 * await coordination.close();
 * ```
 */
export function createPostgresCoordination(
  options: PostgresCoordinationOptions,
): PostgresCoordination {
  if (!options || typeof options !== 'object') {
    throw new TypeError('createPostgresCoordination needs { pool } or { connectionString }');
  }
  const names = resolvePostgresNames({ schema: options.schema, tablePrefix: options.tablePrefix });
  const logger = options.logger ?? consoleLogger;
  const listenSettings = resolveListenSettings(options);
  const { pool, owned } = openPool(options, 'createPostgresCoordination', {
    application_name: options.applicationName ?? DEFAULT_APPLICATION_NAME,
  });
  let closed = false;
  const gate = new SchemaGate('PostgreSQL', () => findMissingMigrations(pool, names));
  const db = new PgExecutor(
    { run: (config) => pool.query(config), onPool: true },
    // Coordination statements are never named, so a transaction pooler changes nothing here.
    { gate, isClosed: () => closed, pooler: { transactionPooling: true, onDetected: () => {} } },
  );
  const leases = new PostgresLeases(db, leaseStatements(names));
  const publishSql = publishStatements(names);
  const publisher = new NotifyPublisher(db, publishSql, names.notifyChannel);
  const hub = new ChannelHub(async (id) => {
    const [row] = await db.query<{ channel: string; payload: string }>(publishSql.fetchSpilled, [
      id,
    ]);
    return row;
  }, logger);
  const listen = new ListenConnection(
    listenSettings,
    names.notifyChannel,
    (payload) => hub.receive(payload),
    logger,
  );

  return {
    name: 'postgres',
    names: { schema: names.schema, tablePrefix: names.tablePrefix },
    acquireLease: (request, ttlMs) => leases.acquire(request, ttlMs),
    renewLease: (key, holder, token, ttlMs) => leases.renew(key, holder, token, ttlMs),
    releaseLease: (key, holder, token) => leases.release(key, holder, token),
    readLease: (key) => leases.read(key),
    claimExpiredLeases: (holder, token, ttlMs, limit) =>
      leases.claimExpired(holder, token, ttlMs, limit),
    async publish(channel: string, message: string): Promise<void> {
      if (closed) throw new StoreClosedError();
      await publisher.publish(channel, message);
    },
    async subscribe(channel: string, listener: ChannelListener) {
      if (closed) throw new StoreClosedError();
      assertName(channel, 'channel');
      if (typeof listener !== 'function')
        throw new TypeError('subscribe needs a listener function');
      // Registered before LISTEN is confirmed, so nothing published after we resolve is missed.
      const remove = hub.add(channel, listener);
      try {
        await listen.ready();
      } catch (error) {
        remove();
        throw error;
      }
      return async () => {
        remove();
      };
    },
    onChannelState: (listener: (state: ChannelState) => void) => listen.onState(listener),
    async migrate(): Promise<MigrationResult> {
      if (closed) throw new StoreClosedError();
      const result = await migratePostgres(pool, names);
      gate.markReady();
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      hub.clear();
      await listen.close();
      // Publishes already accepted finish (or fail) before an owned pool goes away.
      await publisher.settled();
      if (owned) await pool.end();
    },
  };
}
