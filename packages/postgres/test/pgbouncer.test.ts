import {
  callContext,
  listRequest,
  makeArtifact,
  makeTask,
  randomScope,
  runStoreConformance,
  textPart,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend, startPgBouncer } from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStores,
  type PostgresStoreBundle,
  postgresMigrations,
} from '../src/index.js';
import { postgresRawProbe } from '../src/testing/index.js';
import { randomSchema } from './support.js';

// PgBouncer 1.18 (Debian's) in pool_mode = transaction, with four server connections, in front of
// the test database: consecutive transactions of one client land on different server sessions.
const backend = await resolveTestBackend('postgres');
const server = new URL(backend.url);
const bouncer = await startPgBouncer({
  server: { host: server.hostname, port: Number(server.port || 5432) },
  poolMode: 'transaction',
  poolSize: 4,
});
const bouncedUrl = bouncer.url(server.pathname.slice(1) || 'postgres');

function bouncedPool(max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: bouncedUrl, max });
  pool.on('error', () => {});
  return pool;
}

const pool = bouncedPool(8);
const schema = randomSchema('pgbouncer');
await createPostgresStores({ pool }, { schema, pooler: 'transaction' }).migrate();

afterAll(async () => {
  await pool.end();
  await bouncer.stop();
});

runStoreConformance({
  name: 'postgres through pgbouncer (transaction pooling)',
  create: (options) =>
    createPostgresStores({ pool }, { ...options, schema, pooler: 'transaction' }),
  destroy: async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  },
  probe: postgresRawProbe(pool, { schema }),
});

describe('pgbouncer in transaction mode', () => {
  // Its own schema: the suite's is dropped by its destroy().
  const own = randomSchema('pgbouncer_auto');
  const seeder = createPostgresStores({ pool }, { schema: own, pooler: 'transaction' });
  beforeAll(async () => {
    await seeder.migrate();
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${own}" CASCADE`);
  });

  /**
   * Runs `body` with stores in pooler mode "auto" on a pool of eight client connections, all
   * opened first and idle, so eight concurrent calls take one each: each prepares its named
   * statement once, over at most four server sessions, so two of them meet on one session
   * where the name already exists (or a session lacks it).
   */
  async function withAutoStores(
    body: (stores: PostgresStoreBundle, warnings: readonly string[]) => Promise<void>,
  ): Promise<void> {
    const warnings: string[] = [];
    const eight = bouncedPool(8);
    try {
      const stores = createPostgresStores(
        { pool: eight },
        { schema: own, logger: { warn: (message) => warnings.push(message) } },
      );
      const clients = await Promise.all(Array.from({ length: 8 }, () => eight.connect()));
      for (const client of clients) client.release();
      await body(stores, warnings);
    } finally {
      await eight.end();
    }
  }

  it('pooler "auto" detects the pooler on the first lists, warns once, and every list answers', async () => {
    await withAutoStores(async (stores, warnings) => {
      const ctx = callContext(randomScope());
      const tasks = Array.from({ length: 3 }, () => makeTask());
      // Saved by a store in pooler mode: the auto store's own (named) writes would detect it.
      for (const task of tasks) await seeder.taskStore.save(task, ctx);
      expect(stores.pooler).toBe('auto');
      const pages = await Promise.all(
        Array.from({ length: 8 }, () => stores.taskStore.list(listRequest({}), ctx)),
      );
      const ids = tasks.map((t) => t.id).sort();
      for (const page of pages) expect(page.tasks.map((t) => t.id).sort()).toEqual(ids);
      expect(stores.pooler).toBe('transaction');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('transaction pooler');
      // From now on no name is used: lists keep answering on any session.
      for (let i = 0; i < 8; i++) {
        expect((await stores.taskStore.list(listRequest({}), ctx)).tasks).toHaveLength(3);
      }
    });
  });

  it('pooler "auto": loads (a named call of the get function) detect the pooler too, and every load answers', async () => {
    await withAutoStores(async (stores, warnings) => {
      const ctx = callContext(randomScope());
      const task = makeTask();
      await seeder.taskStore.save(task, ctx);
      expect(stores.pooler).toBe('auto');
      for (let round = 0; round < 3; round++) {
        const loaded = await Promise.all(
          Array.from({ length: 8 }, () => stores.taskStore.load(task.id, ctx)),
        );
        for (const one of loaded) expect(one?.id).toBe(task.id);
      }
      expect(stores.pooler).toBe('transaction');
      expect(warnings).toHaveLength(1);
    });
  });

  it('pooler "auto": writes (named calls of the write functions) detect the pooler too, and each lands exactly once', async () => {
    await withAutoStores(async (stores, warnings) => {
      const ctx = callContext(randomScope());
      // Eight tasks saved at once, then each saved again three times with a version check:
      // a write refused by the pooler and sent again must not land twice (the version would
      // then be off, or the check would fail).
      const tasks = Array.from({ length: 8 }, () => makeTask());
      await Promise.all(tasks.map((task) => stores.taskStore.save(task, ctx)));
      for (let round = 1; round <= 3; round++) {
        await Promise.all(
          tasks.map(async (task) => {
            task.metadata = { round };
            await stores.taskStore.saveIfVersion(task, ctx, round);
          }),
        );
      }
      // A large task streamed in chunks: its saves are appends (the append function).
      const large = makeTask();
      large.artifacts = [{ ...makeArtifact(0), parts: [textPart('x'.repeat(9000))] }];
      await stores.taskStore.save(large, ctx);
      for (let i = 0; i < 8; i++) {
        large.artifacts[0]!.parts.push(textPart(`chunk ${i}`));
        await stores.taskStore.save(large, ctx);
      }
      expect(stores.pooler).toBe('transaction');
      expect(warnings).toHaveLength(1);
      for (const task of tasks) {
        const stored = await seeder.taskStore.loadVersioned(task.id, ctx);
        expect(stored?.version).toBe(4);
        expect(stored?.task.metadata).toEqual({ round: 3 });
      }
      const stored = await seeder.taskStore.loadVersioned(large.id, ctx);
      expect(stored?.version).toBe(9);
      expect(stored?.task.artifacts[0]?.parts).toHaveLength(9);
      expect((await seeder.taskStore.list(listRequest({}), ctx)).totalSize).toBe(9);
    });
  });

  it('two stores migrating one fresh schema at once through the pooler apply each step once', async () => {
    const fresh = randomSchema('pgbouncer_migrate');
    const pools = [bouncedPool(2), bouncedPool(2)];
    try {
      const [a, b] = pools.map((p) =>
        createPostgresStores({ pool: p }, { schema: fresh, pooler: 'transaction' }),
      );
      const results = await Promise.all([a!.migrate(), b!.migrate()]);
      const ids = postgresMigrations({ schema: fresh }).map((m) => m.id);
      // The advisory lock is transaction-scoped, so it holds through the pooler: one call
      // applied everything, the other waited and found nothing to do.
      expect([...results[0]!.applied, ...results[1]!.applied]).toEqual(ids);
      for (const result of results) expect(result.current).toEqual(ids);
      const ledger = await pool.query(`SELECT id FROM "${fresh}".a2a_migrations ORDER BY id`);
      expect(ledger.rows.map((r) => r.id)).toEqual(ids);
      const ctx = callContext(randomScope());
      const task = makeTask();
      await a!.taskStore.save(task, ctx);
      expect((await b!.taskStore.load(task.id, ctx))?.id).toBe(task.id);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
