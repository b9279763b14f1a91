import { TaskState } from '@a2a-js/sdk';
import { PushConfigLimitError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlStores, type MysqlStores, tableNames } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const prefix = randomPrefix();
const t = tableNames(prefix);
const CAP = 5;
let pool: Pool;
let stores: MysqlStores;

beforeAll(async () => {
  pool = createPool({ uri: (await resolveTestBackend('mysql')).url, connectionLimit: 12 });
  stores = createMysqlStores(
    { pool },
    {
      tablePrefix: prefix,
      limits: { maxPushConfigsPerTask: CAP },
      pushUrlCheck: conformancePushUrlCheck(),
    },
  );
  await stores.migrate();
});

afterAll(async () => {
  await dropTables(pool, prefix);
  await pool.end();
});

async function rawCount(table: string, tenant: string): Promise<number> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM ${table} WHERE tenant = ?`,
    [tenant],
  );
  return Number(rows[0]?.n);
}

describe('push config cap under concurrency', () => {
  it('lets exactly the cap through when many new configs race', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        stores.pushNotificationStore.save('task', ctx, makePushConfig('task', { id: `race-${i}` })),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.length - refused.length).toBe(CAP);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PushConfigLimitError);
    expect(await stores.pushNotificationStore.load('task', ctx)).toHaveLength(CAP);
    expect(await rawCount(t.pushConfigs, scope.tenant)).toBe(CAP);
  });

  it('always accepts a replacement at the cap, even racing new ids', async () => {
    const ctx = callContext(randomScope());
    for (let i = 0; i < CAP; i++) {
      await stores.pushNotificationStore.save('task', ctx, makePushConfig('task', { id: `c${i}` }));
    }
    const replacements = Array.from({ length: CAP }, (_, i) =>
      stores.pushNotificationStore.save(
        'task',
        ctx,
        makePushConfig('task', { id: `c${i}`, token: `new-${i}` }),
      ),
    );
    const newcomers = Array.from({ length: 5 }, (_, i) =>
      stores.pushNotificationStore.save('task', ctx, makePushConfig('task', { id: `n${i}` })),
    );
    const [replaced, added] = await Promise.all([
      Promise.allSettled(replacements),
      Promise.allSettled(newcomers),
    ]);
    expect(replaced.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(added.every((r) => r.status === 'rejected')).toBe(true);
    const stored = await stores.pushNotificationStore.load('task', ctx);
    expect(stored.map((c) => c.token).sort()).toEqual(
      Array.from({ length: CAP }, (_, i) => `new-${i}`).sort(),
    );
  });
});

describe('config sets follow their task', () => {
  it('deleteAll, delete and purge leave no config or set row behind, and saving again works', async () => {
    const scope = randomScope();
    const ctx = callContext(scope);
    await stores.pushNotificationStore.save('a', ctx, makePushConfig('a', { id: 'x' }));
    await stores.pushNotificationStore.deleteAll('a', ctx);
    expect(await rawCount(t.pushConfigSets, scope.tenant)).toBe(0);
    await stores.pushNotificationStore.save('a', ctx, makePushConfig('a', { id: 'y' }));
    expect((await stores.pushNotificationStore.load('a', ctx)).map((c) => c.id)).toEqual(['y']);

    const done = makeTask({ id: 'b', state: TaskState.TASK_STATE_COMPLETED });
    await stores.taskStore.save(done, ctx);
    await stores.pushNotificationStore.save('b', ctx, makePushConfig('b'));
    await stores.taskStore.save(makeTask({ id: 'a' }), ctx);
    expect(await stores.taskStore.delete('a', ctx)).toBe(true);
    const purged = await stores.taskStore.purge({
      olderThan: new Date(Date.now() + 60_000),
      scope,
      batchSize: 1,
    });
    expect(purged.deleted).toBe(1);
    for (const table of [t.tasks, t.pushConfigs, t.pushConfigSets]) {
      expect(await rawCount(table, scope.tenant), table).toBe(0);
    }
  });

  it('purges in batches across scopes, only finished tasks older than the bound', async () => {
    const scopes = [randomScope(), randomScope()];
    const old = Date.now() - 3_600_000;
    const past = createMysqlStores(
      { pool },
      { tablePrefix: prefix, now: () => old, pushUrlCheck: conformancePushUrlCheck() },
    );
    for (const scope of scopes) {
      const ctx = callContext(scope);
      for (let i = 0; i < 7; i++) {
        await past.taskStore.save(makeTask({ state: TaskState.TASK_STATE_FAILED }), ctx);
      }
      await past.taskStore.save(
        makeTask({ id: 'waiting', state: TaskState.TASK_STATE_INPUT_REQUIRED }),
        ctx,
      );
      await stores.taskStore.save(
        makeTask({ id: 'recent', state: TaskState.TASK_STATE_FAILED }),
        ctx,
      );
    }
    const result = await stores.taskStore.purge({ olderThan: new Date(old + 1), batchSize: 3 });
    // Nothing else in this file's tables was written an hour ago.
    expect(result.deleted).toBe(14);
    for (const scope of scopes) {
      const ctx = callContext(scope);
      expect(await stores.taskStore.load('waiting', ctx)).toBeDefined();
      expect(await stores.taskStore.load('recent', ctx)).toBeDefined();
      expect(await rawCount(t.tasks, scope.tenant)).toBe(2);
    }
  });
});
