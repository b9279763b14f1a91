import { TaskState } from '@a2a-js/sdk';
import {
  callContext,
  listRequest,
  makeArtifact,
  makePushConfig,
  makeTask,
  randomScope,
  textPart,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePostgresNames } from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

/** Rows added behind the planner's back: enough that a whole-table scan per call would show. */
const SEEDED_ROWS = 20_000;
/** Calls of each kind while the table is empty: past the 5 after which a plan may be cached. */
const WARM_CALLS = 12;
/** Calls of each kind measured once the table is big. */
const MEASURED_CALLS = 100;

let pool: pg.Pool;

beforeAll(async () => {
  pool = await testPool(2);
});

afterAll(async () => {
  await pool?.end();
});

/**
 * Sequential scans of `table` by this session's current transaction so far. Inside one
 * transaction the backend reports nothing to the shared statistics, so a difference of two
 * reads is exactly what ran in between: counted, not timed, nothing to wait for.
 */
async function seqScans(client: pg.PoolClient, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT coalesce(seq_scan, 0) AS n FROM pg_stat_xact_user_tables WHERE relid = $1::regclass`,
    [table],
  );
  return Number(rows[0]?.n ?? 0);
}

// Autovacuum is off and nothing runs ANALYZE after the seeding, so the planner's picture of the
// table is whatever it was when the connection first ran the adapter's statements: never
// analysed, or analysed while empty (an ANALYZE or VACUUM before the first task arrived).
describe.each([
  { stats: 'never analysed', analyseWhileEmpty: false },
  { stats: 'analysed while empty', analyseWhileEmpty: true },
])('save and load on a table grown behind the planner ($stats)', ({ analyseWhileEmpty }) => {
  it('never scan the whole table: sequential scans stay at 0 over hundreds of calls', async () => {
    // Tasks: save (insert, update), saveIfVersion, load (hit, miss), appends, lists with a short
    // history; push configs: save, load.
    const schema = randomSchema('planstats');
    const names = resolvePostgresNames({ schema });
    const stores = storesOn(pool, { schema });
    await stores.migrate();
    // One connection for the whole test: whatever it caches while the table is empty is what
    // it uses once the table is big, as a long-lived pooled connection would.
    const client = await pool.connect();
    try {
      if (analyseWhileEmpty) {
        await client.query(`ANALYZE ${names.tasks}, ${names.counts}, ${names.pushConfigs}`);
      }
      const { taskStore, pushNotificationStore } = stores.withClient(client);
      // A second store on the same connection: it holds nothing, so its loads read segments.
      const otherTaskStore = storesOn(pool, { schema }).withClient(client).taskStore;
      const ctx = callContext(randomScope());
      const working = TaskState.TASK_STATE_WORKING;

      const exercise = async (prefix: string, calls: number) => {
        for (let i = 0; i < calls; i++) {
          const task = makeTask({
            id: `${prefix}-${i}`,
            contextId: `ctx-${i % 3}`,
            state: working,
          });
          await taskStore.save(task, ctx); // insert
          await taskStore.save(task, ctx); // update of the stored row
          const loaded = await taskStore.loadVersioned(task.id, ctx);
          expect(loaded?.task.id).toBe(task.id);
          await taskStore.saveIfVersion(task, ctx, loaded!.version);
          expect((await taskStore.load(task.id, ctx))?.id).toBe(task.id);
          expect(await taskStore.load(`${prefix}-missing-${i}`, ctx)).toBeUndefined();
          await pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id: 'hook' }));
          expect(await pushNotificationStore.load(task.id, ctx)).toHaveLength(1);
          // A large task: a save that appends a segment, a load that finds it unchanged, a
          // load after another write, and a delete.
          const large = makeTask({ id: `${prefix}-large-${i}`, state: working });
          large.artifacts = [
            { ...makeArtifact(0), parts: [textPart('x'.repeat(9000)), textPart(`${i}`)] },
          ];
          await taskStore.save(large, ctx);
          const held = (await taskStore.load(large.id, ctx))!;
          held.artifacts[0]!.parts.push(textPart(`appended ${i}`));
          await taskStore.save(held, ctx);
          expect((await taskStore.load(large.id, ctx))!.artifacts[0]!.parts).toHaveLength(3);
          expect(await otherTaskStore.load(large.id, ctx)).toBeDefined();
          // Lists with a short history: the large task comes back in its recent form, its
          // segments read for their artifacts only (and not at all without artifacts).
          for (const includeArtifacts of [true, false]) {
            const page = await taskStore.list(
              listRequest({ contextId: large.contextId, historyLength: 1, includeArtifacts }),
              ctx,
            );
            const [listed] = page.tasks;
            expect(listed?.id).toBe(large.id);
            expect(listed?.history).toHaveLength(1);
            expect(listed?.artifacts[0]?.parts ?? []).toHaveLength(includeArtifacts ? 3 : 0);
          }
          // Every filter shape of a list page, its total, and a page past a cursor. The scope
          // holds this round's tasks so far, the warm-up's, and the large task.
          const total = i + 2 + (prefix === 'measured' ? WARM_CALLS : 0);
          const first = await taskStore.list(listRequest({ pageSize: 1 }), ctx);
          expect(first.tasks).toHaveLength(1);
          expect(first.totalSize).toBe(total);
          const next = await taskStore.list(
            listRequest({ pageSize: 1, pageToken: first.nextPageToken }),
            ctx,
          );
          expect(next.tasks).toHaveLength(1);
          expect(next.tasks[0]?.id).not.toBe(first.tasks[0]?.id);
          const byState = await taskStore.list(listRequest({ status: working }), ctx);
          expect(byState.totalSize).toBe(total);
          const recent = await taskStore.list(
            listRequest({ statusTimestampAfter: '2000-01-01T00:00:00Z' }),
            ctx,
          );
          expect(recent.totalSize).toBe(total);
          const byBoth = await taskStore.list(
            listRequest({ contextId: task.contextId, status: working }),
            ctx,
          );
          expect(byBoth.tasks.map((t) => t.id)).toContain(task.id);
          expect(await taskStore.delete(large.id, ctx)).toBe(true);
        }
      };
      await exercise('warm', WARM_CALLS);

      // Grown with plain INSERTs in another scope: no ANALYZE, and autovacuum is off.
      await client.query(
        `INSERT INTO ${names.tasks}
           (tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts)
         SELECT 'seed-tenant', 'seed-owner', 'seed-' || i, 'ctx', 2, i, 1, 1, '{}', '[]'
         FROM generate_series(1, ${SEEDED_ROWS}) AS i`,
      );
      await client.query(
        `INSERT INTO ${names.pushConfigs}
           (tenant, owner, task_id, config_id, seq, updated_at, wire_version, config)
         SELECT 'seed-tenant', 'seed-owner', 'seed-' || i, 'hook', i, 1, '1.0', '{}'
         FROM generate_series(1, ${SEEDED_ROWS}) AS i`,
      );

      await client.query(
        `INSERT INTO ${names.counts} (tenant, owner, context_id, state, shard, n)
         SELECT 'seed-tenant', 'seed-owner', 'ctx-' || i, 2, 0, 1
         FROM generate_series(1, ${SEEDED_ROWS}) AS i`,
      );
      await client.query(
        `INSERT INTO ${names.segments} (tenant, owner, task_id, seq, body, artifacts)
         SELECT 'seed-tenant', 'seed-owner', 'seed-' || i, 1, '{}', ''
         FROM generate_series(1, ${SEEDED_ROWS}) AS i`,
      );

      await client.query('BEGIN');
      const before = await seqScans(client, names.tasks);
      const pushBefore = await seqScans(client, names.pushConfigs);
      const otherBefore = [
        await seqScans(client, names.segments),
        await seqScans(client, names.counts),
      ];
      await exercise('measured', MEASURED_CALLS);
      const after = await seqScans(client, names.tasks);
      const pushAfter = await seqScans(client, names.pushConfigs);
      const otherAfter = [
        await seqScans(client, names.segments),
        await seqScans(client, names.counts),
      ];
      // The count works: a query that has to read the whole table shows up in it.
      await client.query(`SELECT count(*) FROM ${names.tasks} WHERE body = 'none'`);
      const control = await seqScans(client, names.tasks);
      await client.query('COMMIT');

      expect(control - after).toBe(1);
      expect(after - before).toBe(0);
      expect(pushAfter - pushBefore).toBe(0);
      expect(otherAfter).toEqual(otherBefore);
    } finally {
      client.release();
      await stores.close();
      await dropSchema(pool, schema);
    }
  }, 120_000);
});
