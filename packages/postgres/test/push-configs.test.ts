import { PushConfigLimitError } from '@a2a-stores/core';
import { callContext, makePushConfig, randomScope } from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStoreBundle } from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

let pool: pg.Pool;
const schema = randomSchema('push');

beforeAll(async () => {
  pool = await testPool(8);
  await storesOn(pool, { schema }).migrate();
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

function storesWithCap(max: number): PostgresStoreBundle {
  return storesOn(pool, { schema, limits: { maxPushConfigsPerTask: max } });
}

/** Saves every config at once; resolves how many were stored and how many hit the cap. */
async function saveConcurrently(
  stores: PostgresStoreBundle,
  taskId: string,
  ids: readonly string[],
  ctx: ReturnType<typeof callContext>,
): Promise<{ written: number; refused: number }> {
  const results = await Promise.allSettled(
    ids.map((id) => stores.pushNotificationStore.save(taskId, ctx, makePushConfig(taskId, { id }))),
  );
  for (const r of results) {
    if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PushConfigLimitError);
  }
  return {
    written: results.filter((r) => r.status === 'fulfilled').length,
    refused: results.filter((r) => r.status === 'rejected').length,
  };
}

describe('the push config cap under concurrent writers', () => {
  it('admits exactly the cap when 30 new configs race for 10 places', async () => {
    const stores = storesWithCap(10);
    const ctx = callContext(randomScope());
    const ids = Array.from({ length: 30 }, (_, i) => `cfg-${i}`);
    expect(await saveConcurrently(stores, 'task', ids, ctx)).toEqual({ written: 10, refused: 20 });
    expect(await stores.pushNotificationStore.load('task', ctx)).toHaveLength(10);
  });

  it('admits exactly one of two first configs when the cap is 1', async () => {
    const stores = storesWithCap(1);
    for (let round = 0; round < 10; round++) {
      const ctx = callContext(randomScope());
      expect(await saveConcurrently(stores, 'task', ['a', 'b'], ctx)).toEqual({
        written: 1,
        refused: 1,
      });
      expect(await stores.pushNotificationStore.load('task', ctx)).toHaveLength(1);
    }
  });

  it('lets a full task replace its own configs concurrently, without counting them twice', async () => {
    const stores = storesWithCap(5);
    const ctx = callContext(randomScope());
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await saveConcurrently(stores, 'task', ids, ctx);
    const again = await saveConcurrently(stores, 'task', [...ids, ...ids], ctx);
    expect(again).toEqual({ written: 10, refused: 0 });
    const stored = await stores.pushNotificationStore.load('task', ctx);
    expect(stored.map((c) => c.id).sort()).toEqual(ids);
    await expect(
      stores.pushNotificationStore.save('task', ctx, makePushConfig('task', { id: 'f' })),
    ).rejects.toBeInstanceOf(PushConfigLimitError);
  });

  it('keeps registration order, a replaced config moving to the end', async () => {
    const stores = storesWithCap(10);
    const ctx = callContext(randomScope());
    for (const id of ['a', 'b', 'c']) {
      await stores.pushNotificationStore.save('task', ctx, makePushConfig('task', { id }));
    }
    await stores.pushNotificationStore.save('task', ctx, makePushConfig('task', { id: 'a' }));
    const stored = await stores.pushNotificationStore.load('task', ctx);
    expect(stored.map((c) => c.id)).toEqual(['b', 'c', 'a']);
  });
});
