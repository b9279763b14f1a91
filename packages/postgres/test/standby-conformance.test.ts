import {
  callContext,
  makeTask,
  randomScope,
  runStoreConformance,
} from '@a2a-stores/core/conformance';
import {
  type PostgresInstance,
  startPostgresInstance,
  startPostgresStandby,
  waitFor,
} from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStores, multiHostPoolConfig } from '../src/index.js';
import { postgresRawProbe } from '../src/testing/index.js';
import { randomSchema } from './support.js';

// A primary with a synchronous streaming standby (synchronous_commit = on, the standby named in
// synchronous_standby_names), private to this file. The connection string lists the STANDBY
// first: target_session_attrs=read-write has to skip it, or the suite's writes fail with 25006.

const primary = await startPostgresInstance({
  settings: { synchronous_standby_names: 'standby', synchronous_commit: 'on' },
});
let standby: PostgresInstance;
try {
  standby = await startPostgresStandby(primary, { applicationName: 'standby' });
} catch (error) {
  await primary.stop();
  throw error;
}

async function onServer<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

// Until the standby streams as the synchronous one, commits would wait for it.
await waitFor('the standby to stream synchronously', () =>
  onServer(primary.url, async (admin) => {
    const { rows } = await admin.query(
      "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'",
    );
    return rows[0]?.sync_state === 'sync';
  }),
);

const standbyFirst = `postgresql://postgres@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/postgres?target_session_attrs=read-write`;
const schema = randomSchema('standby');

/** The probe's pool goes through the same multi-host string. */
const probePool = new pg.Pool({ ...multiHostPoolConfig(standbyFirst), max: 2 });
probePool.on('error', () => {});
await createPostgresStores({ connectionString: standbyFirst }, { schema }).migrate();

afterAll(async () => {
  await probePool.end();
  await standby.stop();
  await primary.stop();
});

// A store (and so a pool and a multi-host client class) per test: each store's first
// connection tries the standby first and has to pass over it.
runStoreConformance({
  name: 'postgres through a multi-host string, standby listed first',
  create: (options) =>
    createPostgresStores(
      { connectionString: standbyFirst, poolConfig: { max: 4, connectionTimeoutMillis: 5_000 } },
      { ...options, schema },
    ),
  probe: postgresRawProbe(probePool, { schema }),
});

/** Every row of the schema's logged tables, as text, in a stable order. */
async function snapshot(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    // Unlogged tables (the spill of large notifications) are not replicated, by design.
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relpersistence = 'p' ORDER BY 1`,
    [schema],
  );
  const all: string[] = [];
  for (const { name } of tables) {
    const { rows } = await client.query<{ row: string }>(
      `SELECT t::text AS row FROM "${schema}"."${name}" t ORDER BY 1`,
    );
    all.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  return all;
}

describe('primary + synchronous standby, standby listed first', () => {
  it('every connection of a fresh pool lands on the primary, even when opened at once', async () => {
    const pool = new pg.Pool({
      ...multiHostPoolConfig(standbyFirst),
      max: 6,
      connectionTimeoutMillis: 5_000,
    });
    pool.on('error', () => {});
    try {
      // Six connects in flight together: none has yet learnt which host was accepted, so each
      // tries the standby first.
      // Before the fix, a connect whose neighbour moved the preferred host mid-probe visited
      // the standby twice and failed; allSettled so every connected client is released.
      const settled = await Promise.allSettled(Array.from({ length: 6 }, () => pool.connect()));
      const clients = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      try {
        for (const client of clients) {
          const { rows } = await client.query<{ port: number; standby: boolean }>(
            'SELECT inet_server_port() AS port, pg_is_in_recovery() AS standby',
          );
          expect(rows[0]).toEqual({ port: primary.port, standby: false });
        }
        expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
      } finally {
        for (const client of clients) client.release();
      }
    } finally {
      await pool.end();
    }
  });

  it('the standby holds the same rows as the primary once replay catches up, and serves reads', async () => {
    const stores = createPostgresStores({ connectionString: standbyFirst }, { schema });
    const onStandby = createPostgresStores({ connectionString: standby.url }, { schema });
    try {
      const ctx = callContext(randomScope());
      const tasks = Array.from({ length: 5 }, () => makeTask());
      for (const task of tasks) await stores.taskStore.save(task, ctx);
      const { lsn, expected } = await onServer(primary.url, async (client) => ({
        lsn: (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn')).rows[0]!
          .lsn,
        expected: await snapshot(client),
      }));
      // synchronous_commit = on waits for the standby's flush, not its replay.
      await waitFor(
        'the standby to replay the primary',
        () =>
          onServer(standby.url, async (client) => {
            const { rows } = await client.query<{ caught: boolean }>(
              'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught',
              [lsn],
            );
            return rows[0]?.caught === true;
          }),
        20_000,
      );
      const replicated = await onServer(standby.url, snapshot);
      expect(replicated.length).toBeGreaterThanOrEqual(tasks.length);
      expect(replicated).toEqual(expected);
      for (const task of tasks) {
        expect(await onStandby.taskStore.load(task.id, ctx)).toEqual(
          await stores.taskStore.load(task.id, ctx),
        );
      }
    } finally {
      await stores.close();
      await onStandby.close();
    }
  });
});
