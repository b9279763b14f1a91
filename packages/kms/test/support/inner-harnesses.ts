import { randomBytes } from 'node:crypto';
import { type CoreStoreOptions, createMemoryStores, type StoreBundle } from '@a2a-stores/core';
import type { RawProbe, StoreHarness } from '@a2a-stores/core/conformance';
import { createMysqlStores } from '@a2a-stores/mysql';
import { dropMysqlTables, mysqlRawProbe } from '@a2a-stores/mysql/testing';
import { createPostgresStores } from '@a2a-stores/postgres';
import { postgresRawProbe } from '@a2a-stores/postgres/testing';
import { createRedisStores, DEFAULT_CLIENT_OPTIONS } from '@a2a-stores/redis';
import { redisRawProbe } from '@a2a-stores/redis/testing';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { sqliteRawProbe } from '@a2a-stores/sqlite/testing';
import { type BackendKind, resolveTestBackend } from '@a2a-stores/test-backends';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { createPool } from 'mysql2/promise';
import pg from 'pg';

// The adapters' own harness set-up lives in their test folders; what is theirs to know (table
// and key layout, the raw probes) comes from their `/testing` exports, never copied here.

/** An inner harness on a shared database, and how to remove what it wrote. */
export interface SharedBackendHarness {
  /** Has no `destroy`: several suites of one file share it; call `cleanup` in `afterAll`. */
  readonly harness: StoreHarness;
  cleanup(): Promise<void>;
}

/** Core's memory stores, a fresh state per test (no raw probe: the state is private). */
export function memoryHarness(): StoreHarness {
  return {
    name: 'memory',
    create: (options) => createMemoryStores(options),
    unsupported: { sharedStorage: 'each createMemoryStores call has its own memory' },
  };
}

/** `@a2a-stores/sqlite` on one in-memory database shared by every test, with a raw probe. */
export async function sqliteMemoryHarness(): Promise<StoreHarness> {
  const database = new Database(':memory:');
  await createSqliteStores({ database }).migrate();
  return {
    name: 'sqlite (memory)',
    create: (options) => createSqliteStores({ database }, options),
    destroy: async () => {
      database.close();
    },
    probe: sqliteRawProbe(database),
  };
}

/** One adapter on the shared test server, in a namespace (schema, prefix) no other file uses. */
interface SharedBackendSpec<Connection> {
  readonly name: string;
  readonly backend: BackendKind;
  connect(url: string): Connection;
  /** The adapter's stores over `connection`, in the namespace, with `options` applied. */
  stores(connection: Connection, options: CoreStoreOptions): StoreBundle;
  probe(connection: Connection): RawProbe;
  /** Removes the namespace and closes the connection. */
  teardown(connection: Connection): Promise<void>;
}

/** Resolves the server (`resolveTestBackend`), connects once and migrates the namespace once. */
async function sharedBackendHarness<Connection>(
  spec: SharedBackendSpec<Connection>,
): Promise<SharedBackendHarness> {
  const backend = await resolveTestBackend(spec.backend);
  const connection = spec.connect(backend.url);
  await spec.stores(connection, {}).migrate();
  return {
    harness: {
      name: spec.name,
      // The stores never close a pool or client they were given: the file's outlives them.
      create: (options) => spec.stores(connection, options),
      probe: spec.probe(connection),
    },
    async cleanup() {
      await spec.teardown(connection);
      await backend.stop();
    },
  };
}

// Pools are sized for the suite's 32 concurrent compare-and-set writers to contend for real.

/** `@a2a-stores/postgres` in a random schema of its own: only that schema is dropped. */
export function postgresHarness(): Promise<SharedBackendHarness> {
  const schema = `a2a_test_kms_${randomBytes(5).toString('hex')}`;
  return sharedBackendHarness({
    name: 'postgres',
    backend: 'postgres',
    connect(url) {
      const pool = new pg.Pool({ connectionString: url, max: 8 });
      pool.on('error', () => {});
      return pool;
    },
    stores: (pool, options) => createPostgresStores({ pool }, { ...options, schema }),
    probe: (pool) => postgresRawProbe(pool, { schema }),
    async teardown(pool) {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  });
}

/** `@a2a-stores/mysql` (MariaDB here) under a random table prefix: only its tables are dropped. */
export function mysqlHarness(): Promise<SharedBackendHarness> {
  const tablePrefix = `kms${randomBytes(5).toString('hex')}_`;
  return sharedBackendHarness({
    name: 'mysql',
    backend: 'mysql',
    connect: (uri) => createPool({ uri, connectionLimit: 12 }),
    stores: (pool, options) => createMysqlStores({ pool }, { ...options, tablePrefix }),
    probe: (pool) => mysqlRawProbe(pool, { tablePrefix }),
    async teardown(pool) {
      await dropMysqlTables(pool, { tablePrefix });
      await pool.end();
    },
  });
}

/** `@a2a-stores/redis` under a random key prefix: only that prefix's keys are deleted. */
export function redisHarness(): Promise<SharedBackendHarness> {
  const keyPrefix = `a2a-test:kms:${randomBytes(4).toString('hex')}:`;
  return sharedBackendHarness({
    name: 'redis',
    backend: 'redis',
    connect(url) {
      const client = new Redis(url, { ...DEFAULT_CLIENT_OPTIONS });
      client.on('error', () => {});
      return client;
    },
    stores: (client, options) => createRedisStores({ client }, { ...options, keyPrefix }),
    probe: (client) => redisRawProbe(client, { keyPrefix }),
    async teardown(client) {
      // SCAN is fine in a test's cleanup (one standalone server: one keyspace to walk).
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await client.unlink(...keys);
      } while (cursor !== '0');
      await client.quit();
    },
  });
}
