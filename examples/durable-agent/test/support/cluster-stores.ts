import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTestBackend, startRedisInstance } from '@a2a-stores/test-backends';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** A store of its own for one cluster of agents, and how to remove it. */
export interface ClusterStore {
  readonly url: string;
  drop(): Promise<void>;
}

/** A store kind the cluster tests run on, and the adapter package its URL needs. */
export interface ClusterStoreKind {
  readonly name: string;
  readonly packageName: string;
  /**
   * A fresh store: the workers' sweepers claim every expired lease they find, so a cluster must
   * not share its lease table with other test runs on the same server.
   */
  create(): Promise<ClusterStore>;
}

/** A fresh database on the test PostgreSQL server (env URL, local service or container). */
async function freshPostgres(): Promise<ClusterStore> {
  const base = (await resolveTestBackend('postgres')).url;
  const name = `a2a_cluster_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A private redis-server of this test run. */
async function freshRedis(): Promise<ClusterStore> {
  const instance = await startRedisInstance();
  return { url: instance.url, drop: () => instance.stop() };
}

/** A fresh database on the test MySQL/MariaDB server. */
async function freshMysql(): Promise<ClusterStore> {
  const base = (await resolveTestBackend('mysql')).url;
  const name = `a2a_cluster_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const connection = await mysql.createConnection(base);
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name}`) };
}

/** A SQLite file of its own, shared by the workers (processes on one machine). */
async function freshSqliteFile(): Promise<ClusterStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'a2a-cluster-'));
  return {
    url: `sqlite:${path.join(dir, 'agent.db')}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The transports with a push channel (events cross workers as they are published). */
export const CLUSTER_STORES: readonly ClusterStoreKind[] = [
  { name: 'redis', packageName: '@a2a-stores/redis', create: freshRedis },
  { name: 'postgres', packageName: '@a2a-stores/postgres', create: freshPostgres },
];

/** The polling transports (events cross workers within a poll interval). */
export const POLLING_CLUSTER_STORES: readonly ClusterStoreKind[] = [
  { name: 'sqlite file', packageName: '@a2a-stores/sqlite', create: freshSqliteFile },
  { name: 'mariadb', packageName: '@a2a-stores/mysql', create: freshMysql },
];
