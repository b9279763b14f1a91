import { randomBytes } from 'node:crypto';
import { resolveTestBackend, startRedisInstance } from '@a2a-stores/test-backends';
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

export const CLUSTER_STORES: readonly ClusterStoreKind[] = [
  { name: 'redis', packageName: '@a2a-stores/redis', create: freshRedis },
  { name: 'postgres', packageName: '@a2a-stores/postgres', create: freshPostgres },
];
