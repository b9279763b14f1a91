import { TaskState } from '@a2a-js/sdk';
import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStoreBundle } from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

let pool: pg.Pool;
let stores: PostgresStoreBundle;
const schema = randomSchema('tx');
const orders = `"${schema}".orders`;

beforeAll(async () => {
  pool = await testPool(4);
  stores = storesOn(pool, { schema });
  await stores.migrate();
  await pool.query(`CREATE TABLE ${orders} (id text PRIMARY KEY, task_id text NOT NULL)`);
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

async function orderExists(id: string): Promise<boolean> {
  return (await pool.query(`SELECT 1 FROM ${orders} WHERE id = $1`, [id])).rows.length === 1;
}

/** Runs `work` on one client inside BEGIN … COMMIT, or ROLLBACK when `commit` is false. */
async function inTransaction(
  commit: boolean,
  work: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
}

describe('withClient: stores inside the caller’s transaction', () => {
  it('names no statement on the caller’s client, while the stores’ pool names the function calls', async () => {
    const ctx = callContext(randomScope());
    const namedOn = async (client: pg.PoolClient) =>
      (
        await client.query<{ name: string }>(
          "SELECT name FROM pg_prepared_statements WHERE name LIKE 'a2a\\_%'",
        )
      ).rows.length;
    // Pools of one connection, so the connection checked afterwards is the one that ran the calls.
    const single = await testPool(1);
    try {
      await inTransaction(true, async (client) => {
        const tx = stores.withClient(client);
        const task = makeTask();
        await tx.taskStore.save(task, ctx);
        await tx.taskStore.save({ ...task, metadata: { again: true } }, ctx);
        expect((await tx.taskStore.load(task.id, ctx))?.metadata).toEqual({ again: true });
        expect((await tx.taskStore.list(listRequest({}), ctx)).totalSize).toBe(1);
        expect(await namedOn(client)).toBe(0);
      });
      const own = storesOn(single, { schema });
      const task = makeTask();
      await own.taskStore.save(task, ctx);
      await own.taskStore.load(task.id, ctx);
      await own.taskStore.list(listRequest({}), ctx);
      const client = await single.connect();
      try {
        // put_task, get_task, list_tasks.
        expect(await namedOn(client)).toBe(3);
      } finally {
        client.release();
      }
    } finally {
      await single.end();
    }
  });

  it('commits a business write, a task, its push config and its counts together', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = makeTask({ contextId: 'ctx-commit' });
    await inTransaction(true, async (client) => {
      const tx = stores.withClient(client);
      await client.query(`INSERT INTO ${orders} VALUES ($1, $2)`, ['order-1', task.id]);
      await tx.taskStore.save(task, ctx);
      await tx.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id: 'cfg' }));
      // Inside the transaction, the stores see their own uncommitted writes.
      expect((await tx.taskStore.load(task.id, ctx))?.id).toBe(task.id);
      // Outside it, nothing yet.
      expect(await stores.taskStore.load(task.id, ctx)).toBeUndefined();
      expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(0);
    });
    expect(await orderExists('order-1')).toBe(true);
    expect((await stores.taskStore.load(task.id, ctx))?.id).toBe(task.id);
    expect((await stores.pushNotificationStore.load(task.id, ctx)).map((c) => c.id)).toEqual([
      'cfg',
    ]);
    const page = await stores.taskStore.list(listRequest({ contextId: 'ctx-commit' }), ctx);
    expect(page.totalSize).toBe(1);
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(1);
  });

  it('rolls back a business write and a task save together, counts included', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const kept = makeTask({ contextId: 'ctx-rb' });
    await stores.taskStore.save(kept, ctx);
    const task = makeTask({ contextId: 'ctx-rb' });
    await inTransaction(false, async (client) => {
      const tx = stores.withClient(client);
      await client.query(`INSERT INTO ${orders} VALUES ($1, $2)`, ['order-2', task.id]);
      await tx.taskStore.save(task, ctx);
      await tx.taskStore.save(
        makeTask({ id: kept.id, contextId: 'ctx-rb', state: TaskState.TASK_STATE_COMPLETED }),
        ctx,
      );
      await tx.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id));
      expect((await tx.taskStore.list(listRequest(), ctx)).totalSize).toBe(2);
    });
    expect(await orderExists('order-2')).toBe(false);
    expect(await stores.taskStore.load(task.id, ctx)).toBeUndefined();
    expect(await stores.pushNotificationStore.load(task.id, ctx)).toEqual([]);
    expect((await stores.taskStore.load(kept.id, ctx))?.status?.state).toBe(
      TaskState.TASK_STATE_WORKING,
    );
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(1);
    expect((await stores.taskStore.list(listRequest({ contextId: 'ctx-rb' }), ctx)).totalSize).toBe(
      1,
    );
    expect(
      (await stores.taskStore.list(listRequest({ status: TaskState.TASK_STATE_COMPLETED }), ctx))
        .totalSize,
    ).toBe(0);
  });

  it('rolls back a delete: the task and its push configs come back', async () => {
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    await stores.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id: 'c1' }));
    await inTransaction(false, async (client) => {
      expect(await stores.withClient(client).taskStore.delete(task.id, ctx)).toBe(true);
    });
    expect((await stores.taskStore.load(task.id, ctx))?.id).toBe(task.id);
    expect((await stores.pushNotificationStore.load(task.id, ctx)).map((c) => c.id)).toEqual([
      'c1',
    ]);
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(1);
  });

  it('reports a call made in a transaction that already failed as a typed error', async () => {
    const ctx = callContext(randomScope());
    await inTransaction(false, async (client) => {
      await client.query('SELECT 1/0').catch(() => {});
      await expect(stores.withClient(client).taskStore.load('x', ctx)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    });
  });

  it('never ends the client it was given', async () => {
    const client = await pool.connect();
    try {
      const ctx = callContext(randomScope());
      await stores.withClient(client).taskStore.save(makeTask({ id: 'kept-open' }), ctx);
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      client.release();
    }
  });
});
