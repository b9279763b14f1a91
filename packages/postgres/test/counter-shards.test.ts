import { TaskState } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import { callContext, listRequest, makeTask, randomScope } from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresStoreBundle,
  postgresMigrations,
  resolvePostgresNames,
} from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

/** Must match COUNTER_SHARDS: the race tests prepare a zero row on every shard. */
const SHARDS = 16;
const STATES = [
  TaskState.TASK_STATE_SUBMITTED,
  TaskState.TASK_STATE_WORKING,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_COMPLETED,
];
const CONTEXTS = ['ctx-a', 'ctx-b', 'ctx-c', 'ctx-d'];

let pool: pg.Pool;
let stores: PostgresStoreBundle;
const schemas: string[] = [];
const schema = randomSchema('shards');
const names = resolvePostgresNames({ schema });

beforeAll(async () => {
  pool = await testPool(24);
  stores = storesOn(pool, { schema });
  await stores.migrate();
  schemas.push(schema);
});

afterAll(async () => {
  for (const name of schemas) await dropSchema(pool, name);
  await pool.end();
});

/** Every counter key of `scope` (all, each state, each context): totalSize against a real count. */
async function expectExactTotals(on: PostgresStoreBundle, tasks: string, scope: Scope) {
  const ctx = callContext(scope);
  const real = async (where: string, value?: string | number) => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${tasks} WHERE tenant = $1 AND owner = $2${where}`,
      value === undefined ? [scope.tenant, scope.owner] : [scope.tenant, scope.owner, value],
    );
    return rows[0]!.n;
  };
  const total = async (params: Parameters<typeof listRequest>[0]) =>
    (await on.taskStore.list(listRequest({ ...params, pageSize: 1 }), ctx)).totalSize;
  expect(await total({})).toBe(await real(''));
  for (const status of STATES) {
    expect({ status, n: await total({ status }) }).toEqual({
      status,
      n: await real(' AND state = $3', status),
    });
  }
  for (const contextId of CONTEXTS) {
    expect({ contextId, n: await total({ contextId }) }).toEqual({
      contextId,
      n: await real(' AND context_id = $3', contextId),
    });
  }
}

/** Resolves once backend `pid` waits for a lock (polls the server; no timer races the work). */
async function lockWaitOf(pid: number): Promise<void> {
  for (;;) {
    const { rows } = await pool.query(
      `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
      [pid],
    );
    if (rows.length > 0) return;
  }
}

async function backendPid(client: pg.PoolClient): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/** A zero row on every shard of the keys a new working task in `ctx-a` counts in. */
async function zeroRowsOnEveryShard(scope: Scope): Promise<void> {
  await pool.query(
    `INSERT INTO ${names.counts} (tenant, owner, context_id, state, shard, n)
     SELECT $1, $2, k.context_id, k.state, s, 0
     FROM generate_series(0, ${SHARDS - 1}) AS s,
       (VALUES ('', 0::smallint), ('', $3::smallint), ('ctx-a', 0::smallint)) AS k(context_id, state)`,
    [scope.tenant, scope.owner, TaskState.TASK_STATE_WORKING],
  );
}

const nothingToPurge = (scope: Scope) => ({
  olderThan: new Date(0),
  states: [TaskState.TASK_STATE_COMPLETED],
  scope,
  batchSize: 100,
});

describe('sharded counters', () => {
  it('stay exact for every key under many concurrent inserts, moves and deletes in one scope', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    await Promise.all(
      Array.from({ length: 24 }, async (_, worker) => {
        for (let i = 0; i < 10; i++) {
          const id = `w${worker}-${i}`;
          await stores.taskStore.save(
            makeTask({ id, contextId: CONTEXTS[i % 4], state: STATES[i % 3] }),
            ctx,
          );
          await stores.taskStore.save(
            makeTask({ id, contextId: CONTEXTS[(i + worker) % 4], state: STATES[(i + 1) % 4] }),
            ctx,
          );
          if (i % 3 === 1) await stores.taskStore.delete(id, ctx);
        }
      }),
    );
    await expectExactTotals(stores, names.tasks, scope);
    // The writes were spread: the scope's count lives on more than one shard row.
    const { rows } = await pool.query<{ shards: number }>(
      `SELECT count(DISTINCT shard)::int AS shards FROM ${names.counts}
       WHERE tenant = $1 AND owner = $2 AND context_id = '' AND state = 0`,
      [scope.tenant, scope.owner],
    );
    expect(rows[0]!.shards).toBeGreaterThan(1);
  });

  it('keep a count whose increment waits on a zero row being deleted', async () => {
    const scope = randomScope();
    await zeroRowsOnEveryShard(scope);
    const dropper = await pool.connect();
    const writer = await pool.connect();
    try {
      // Asked first: a client runs one query at a time, and the awaited one will be blocked.
      const writerPid = await backendPid(writer);
      await dropper.query('BEGIN');
      // Deletes the zero rows of the scope (on every shard) and holds them until COMMIT.
      await stores.withClient(dropper).taskStore.purge(nothingToPurge(scope));
      const saving = stores
        .withClient(writer)
        .taskStore.save(
          makeTask({ contextId: 'ctx-a', state: TaskState.TASK_STATE_WORKING }),
          callContext(scope),
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await lockWaitOf(writerPid);
      await dropper.query('COMMIT');
      expect(await saving).toBeUndefined();
    } finally {
      dropper.release();
      writer.release();
    }
    await expectExactTotals(stores, names.tasks, scope);
    expect((await stores.taskStore.list(listRequest(), callContext(scope))).totalSize).toBe(1);
  });

  it('keep a count whose row a zero-row cleanup waits on', async () => {
    const scope = randomScope();
    await zeroRowsOnEveryShard(scope);
    const dropper = await pool.connect();
    const writer = await pool.connect();
    try {
      // Asked first: a client runs one query at a time, and the awaited one will be blocked.
      const dropperPid = await backendPid(dropper);
      await writer.query('BEGIN');
      await stores
        .withClient(writer)
        .taskStore.save(
          makeTask({ contextId: 'ctx-a', state: TaskState.TASK_STATE_WORKING }),
          callContext(scope),
        );
      const dropping = stores
        .withClient(dropper)
        .taskStore.purge(nothingToPurge(scope))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await lockWaitOf(dropperPid);
      await writer.query('COMMIT');
      expect(await dropping).toBeUndefined();
    } finally {
      dropper.release();
      writer.release();
    }
    await expectExactTotals(stores, names.tasks, scope);
    expect((await stores.taskStore.list(listRequest(), callContext(scope))).totalSize).toBe(1);
    // The cleanup left no zero row of the scope behind: only the writer's shard rows remain.
    const { rows } = await pool.query<{ zeros: number }>(
      `SELECT count(*) FILTER (WHERE n = 0)::int AS zeros FROM ${names.counts}
       WHERE tenant = $1 AND owner = $2`,
      [scope.tenant, scope.owner],
    );
    expect(rows[0]!.zeros).toBe(0);
  });

  it('migrate counters stored before sharding, keeping every total', async () => {
    const old = randomSchema('shards_old');
    schemas.push(old);
    const oldNames = resolvePostgresNames({ schema: old });
    const scope = randomScope();
    const ctx = callContext(scope);
    // Tasks written by the current schema, copied into a schema built by the steps before 0007
    // (whose 0002 counts the copied tasks into one row per key).
    for (let i = 0; i < 12; i++) {
      await stores.taskStore.save(
        makeTask({ id: `m${i}`, contextId: CONTEXTS[i % 4], state: STATES[i % 4] }),
        ctx,
      );
    }
    const steps = postgresMigrations({ schema: old });
    await pool.query(`CREATE SCHEMA "${old}"`);
    await pool.query(
      `CREATE TABLE ${oldNames.ledger} (id text COLLATE "C" PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const step of steps) {
      if (step.id >= '0007') continue;
      if (step.id === '0002_task_counts') {
        // The columns 0001 created (later steps add more, with defaults).
        const columns =
          'tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts';
        await pool.query(
          `INSERT INTO ${oldNames.tasks} (${columns}) SELECT ${columns} FROM ${names.tasks} WHERE tenant = $1 AND owner = $2`,
          [scope.tenant, scope.owner],
        );
      }
      for (const statement of step.statements) await pool.query(statement);
      await pool.query(`INSERT INTO ${oldNames.ledger} (id) VALUES ($1)`, [step.id]);
    }
    const upgraded = storesOn(pool, { schema: old });
    expect((await upgraded.migrate()).applied).toEqual([
      '0007_counter_shards',
      '0008_write_functions',
      '0009_recent_history',
      '0010_read_function',
      '0011_list_function',
      '0012_list_index_order',
    ]);
    await expectExactTotals(upgraded, oldNames.tasks, scope);
    // And writes after the upgrade move the same keys on their own shards.
    await upgraded.taskStore.save(
      makeTask({ id: 'm0', contextId: 'ctx-d', state: TaskState.TASK_STATE_COMPLETED }),
      ctx,
    );
    await upgraded.taskStore.delete('m1', ctx);
    await upgraded.taskStore.save(makeTask({ contextId: 'ctx-b' }), ctx);
    await expectExactTotals(upgraded, oldNames.tasks, scope);
    await upgraded.close();
  });
});
