import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CoordinationBackend, createMemoryCoordination } from '@a2a-stores/core';
import { createMysqlCoordination, createMysqlStores } from '@a2a-stores/mysql';
import { createPostgresCoordination } from '@a2a-stores/postgres';
import { createRedisCoordination } from '@a2a-stores/redis';
import { createSqliteCoordination, createSqliteStores } from '@a2a-stores/sqlite';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import pg from 'pg';

export const TRANSPORTS = ['memory', 'redis', 'postgres', 'sqlite', 'mysql'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** One transport's backends (one per simulated worker), on tables/keys this run owns. */
export interface BenchTransport {
  readonly name: TransportName;
  /** What this run owns: key prefix, schema, folder of the file, or table prefix. */
  readonly location: string;
  connect(): Promise<CoordinationBackend>;
  /** Drops everything {@link openTransport} created; the backends are closed by then. */
  cleanup(): Promise<void>;
}

const QUIET = { warn: () => undefined };

function suffix(): string {
  return randomBytes(4).toString('hex');
}

async function redisTransport(): Promise<BenchTransport> {
  const { url } = await resolveTestBackend('redis');
  const keyPrefix = `a2a_bench_cluster_${suffix()}:`;
  return {
    name: 'redis',
    location: keyPrefix,
    connect: async () => createRedisCoordination({ url, keyPrefix, logger: QUIET }),
    cleanup: async () => {
      const client = new Redis(url, { lazyConnect: true });
      try {
        await client.connect();
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        if (keys.length > 0) await client.del(...keys);
      } finally {
        client.disconnect();
      }
    },
  };
}

async function postgresTransport(): Promise<BenchTransport> {
  const { url } = await resolveTestBackend('postgres');
  const schema = `a2a_bench_cluster_${suffix()}`;
  const first = createPostgresCoordination({ connectionString: url, schema, logger: QUIET });
  try {
    await first.migrate();
  } finally {
    await first.close();
  }
  return {
    name: 'postgres',
    location: schema,
    connect: async () =>
      createPostgresCoordination({ connectionString: url, schema, logger: QUIET }),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

async function sqliteTransport(): Promise<BenchTransport> {
  const dir = await mkdtemp(join(tmpdir(), 'a2a-bench-cluster-'));
  const filename = join(dir, 'coordination.db');
  const stores = createSqliteStores({ filename });
  try {
    await stores.migrate();
  } finally {
    await stores.close();
  }
  return {
    name: 'sqlite',
    location: dir,
    connect: async () => createSqliteCoordination({ filename }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function mysqlTransport(): Promise<BenchTransport> {
  const { url } = await resolveTestBackend('mysql');
  const tablePrefix = `a2a_bench_cluster_${suffix()}_`;
  const stores = createMysqlStores({ uri: url }, { tablePrefix });
  await stores.migrate();
  return {
    name: 'mysql',
    location: tablePrefix,
    connect: async () => createMysqlCoordination({ pool: stores.pool }, { tablePrefix }),
    cleanup: async () => {
      try {
        const [rows] = await stores.pool.query(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
          [`${tablePrefix.replaceAll('_', '\\_')}%`],
        );
        const names = (rows as { name: string }[]).map((row) => `\`${row.name}\``);
        if (names.length > 0) await stores.pool.query(`DROP TABLE IF EXISTS ${names.join(', ')}`);
      } finally {
        await stores.close();
      }
    },
  };
}

/** Sets the transport up on this run's own keys, schema, file or tables. */
export async function openTransport(name: TransportName): Promise<BenchTransport> {
  switch (name) {
    case 'memory': {
      const hub = createMemoryCoordination();
      return {
        name,
        location: 'in-process',
        connect: async () => hub.connect(),
        cleanup: async () => undefined,
      };
    }
    case 'redis':
      return redisTransport();
    case 'postgres':
      return postgresTransport();
    case 'sqlite':
      return sqliteTransport();
    case 'mysql':
      return mysqlTransport();
  }
}
