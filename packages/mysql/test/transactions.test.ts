import { TaskState } from '@a2a-js/sdk';
import { StoreUnavailableError, VersionConflictError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const prefix = randomPrefix();
let pool: Pool;
let stores: MysqlStores;

beforeAll(async () => {
  pool = createPool({ uri: (await resolveTestBackend('mysql')).url, connectionLimit: 6 });
  // The suite's URL policy: the webhook host resolves without the machine's DNS.
  stores = createMysqlStores(
    { pool },
    { tablePrefix: prefix, pushUrlCheck: conformancePushUrlCheck() },
  );
  await stores.migrate();
});

afterAll(async () => {
  await dropTables(pool, prefix);
  await pool.end();
});

/** Runs `work` in a transaction on its own connection; commits unless told to roll back. */
async function inTransaction(
  end: 'commit' | 'rollback',
  work: (connection: PoolConnection) => Promise<void>,
): Promise<void> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    await work(connection);
    await (end === 'commit' ? connection.commit() : connection.rollback());
  } finally {
    connection.release();
  }
}

async function appRows(scope: { tenant: string }): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM tx_app WHERE tenant = ?',
    [scope.tenant],
  );
  return Number(rows[0]?.n);
}

describe('withConnection(): the stores join your transaction', () => {
  beforeAll(async () => {
    await pool.query(
      'CREATE TABLE IF NOT EXISTS tx_app (tenant VARCHAR(255) NOT NULL, note VARCHAR(64) NOT NULL) ENGINE=InnoDB',
    );
  });
  afterAll(async () => {
    await pool.query('DROP TABLE IF EXISTS tx_app');
  });

  it('commits task and push config writes together with your own statements', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = makeTask();
    await inTransaction('commit', async (connection) => {
      const bound = stores.withConnection(connection);
      await connection.execute('INSERT INTO tx_app (tenant, note) VALUES (?, ?)', [
        scope.tenant,
        'x',
      ]);
      await bound.taskStore.save(task, ctx);
      await bound.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id: 'hook' }));
      // Read-your-writes inside the transaction, before commit.
      expect((await bound.taskStore.load(task.id, ctx))?.id).toBe(task.id);
      // Not visible to the pool until commit (REPEATABLE READ / READ COMMITTED).
      expect(await stores.taskStore.load(task.id, ctx)).toBeUndefined();
    });
    expect((await stores.taskStore.load(task.id, ctx))?.id).toBe(task.id);
    expect((await stores.pushNotificationStore.load(task.id, ctx)).map((c) => c.id)).toEqual([
      'hook',
    ]);
    expect(await appRows(scope)).toBe(1);
  });

  it('rolls back task, push config and delete writes with your own statements', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const kept = makeTask();
    await stores.taskStore.save(kept, ctx);
    const created = makeTask();
    await inTransaction('rollback', async (connection) => {
      const bound = stores.withConnection(connection);
      await connection.execute('INSERT INTO tx_app (tenant, note) VALUES (?, ?)', [
        scope.tenant,
        'x',
      ]);
      await bound.taskStore.save(created, ctx);
      await bound.pushNotificationStore.save(
        created.id,
        ctx,
        makePushConfig(created.id, { id: 'hook' }),
      );
      expect(await bound.taskStore.delete(kept.id, ctx)).toBe(true);
      await bound.taskStore.purge({
        olderThan: new Date(Date.now() + 60_000),
        scope,
        states: [TaskState.TASK_STATE_WORKING],
      });
    });
    expect(await stores.taskStore.load(created.id, ctx)).toBeUndefined();
    expect(await stores.pushNotificationStore.load(created.id, ctx)).toEqual([]);
    expect((await stores.taskStore.load(kept.id, ctx))?.id).toBe(kept.id);
    expect(await appRows(scope)).toBe(0);
  });

  it('keeps compare-and-set semantics inside a transaction, and a conflict leaves it usable', async () => {
    const ctx = callContext(randomScope());
    const task = makeTask();
    const v1 = await stores.taskStore.saveIfVersion(task, ctx, null);
    await inTransaction('commit', async (connection) => {
      const bound = stores.withConnection(connection);
      await expect(bound.taskStore.saveIfVersion(task, ctx, null)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      await expect(bound.taskStore.saveIfVersion(task, ctx, v1 + 5)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      // The failed statements did not abort the transaction.
      expect(await bound.taskStore.saveIfVersion({ ...task, metadata: { step: 2 } }, ctx, v1)).toBe(
        v1 + 1,
      );
    });
    const loaded = await stores.taskStore.loadVersioned(task.id, ctx);
    expect(loaded?.version).toBe(v1 + 1);
    expect(loaded?.task.metadata).toEqual({ step: 2 });
  });

  it('runs on your connection even when the pool has none to spare', async () => {
    const single = createPool({ uri: (await resolveTestBackend('mysql')).url, connectionLimit: 1 });
    try {
      // A fresh bundle: its first call checks the schema, which must not wait for the pool.
      const tight = createMysqlStores({ pool: single }, { tablePrefix: prefix });
      const ctx = callContext(randomScope());
      const task = makeTask();
      const connection = await single.getConnection();
      try {
        await connection.beginTransaction();
        const bound = tight.withConnection(connection);
        await bound.taskStore.save(task, ctx);
        expect((await bound.taskStore.list(listRequest(), ctx)).tasks.map((x) => x.id)).toEqual([
          task.id,
        ]);
        await connection.commit();
      } finally {
        connection.release();
      }
      expect((await tight.taskStore.load(task.id, ctx))?.id).toBe(task.id);
    } finally {
      await single.end();
    }
  });

  it('surfaces a deadlock inside your transaction as StoreUnavailableError (yours to retry)', async () => {
    const ctx = callContext(randomScope());
    const a = makeTask();
    const b = makeTask();
    await stores.taskStore.save(a, ctx);
    await stores.taskStore.save(b, ctx);
    const first = await pool.getConnection();
    const second = await pool.getConnection();
    try {
      await first.beginTransaction();
      await second.beginTransaction();
      const one = stores.withConnection(first);
      const two = stores.withConnection(second);
      await one.taskStore.save({ ...a, metadata: { by: 1 } }, ctx);
      await two.taskStore.save({ ...b, metadata: { by: 2 } }, ctx);
      // Each now waits for the row the other holds: InnoDB kills one of the two.
      const outcomes = await Promise.allSettled([
        one.taskStore.save({ ...b, metadata: { by: 1 } }, ctx),
        two.taskStore.save({ ...a, metadata: { by: 2 } }, ctx),
      ]);
      const failures = outcomes.filter((o) => o.status === 'rejected');
      expect(failures).toHaveLength(1);
      expect((failures[0] as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await first.rollback().catch(() => undefined);
      await second.rollback().catch(() => undefined);
      first.release();
      second.release();
    }
  });

  it('refuses something that is not a connection', () => {
    expect(() => stores.withConnection({} as PoolConnection)).toThrow(TypeError);
  });
});

describe('connection ownership', () => {
  it('close() leaves a pool you passed in open', async () => {
    const own = createMysqlStores({ pool }, { tablePrefix: prefix });
    await own.close();
    const [rows] = await pool.query<RowDataPacket[]>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  });

  it('close() ends a pool it created from a URI, and later calls throw StoreClosedError', async () => {
    const own = createMysqlStores(
      { uri: (await resolveTestBackend('mysql')).url },
      { tablePrefix: prefix },
    );
    const ctx = callContext(randomScope());
    await own.taskStore.save(makeTask({ id: 'closing' }), ctx);
    await own.close();
    await expect(own.pool.query('SELECT 1')).rejects.toThrow(/closed/i);
    await expect(own.taskStore.load('closing', ctx)).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    });
    await expect(own.migrate()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await own.close();
  });
});
