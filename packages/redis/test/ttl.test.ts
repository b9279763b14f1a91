import { TaskState } from '@a2a-js/sdk';
import type { Scope, ScopedTaskStore } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  isoAt,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { waitFor } from '@a2a-stores/test-backends';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type RedisStoreBundle, type RedisStoreOptions } from '../src/index.js';
import { pushConfigsKey, pushOrderKey, taskKey } from '../src/keys.js';
import { baseOf, connectTestRedis, deleteKeysWithPrefix, testPrefix } from './helpers.js';

const prefix = testPrefix('ttl');
const COMPLETED = TaskState.TASK_STATE_COMPLETED;
const WORKING = TaskState.TASK_STATE_WORKING;
/** Short enough to watch tasks expire, long enough to write a handful first. */
const SHORT_TTL = 300;
const LONG_TTL = 3_600_000;
let client: Redis;
const opened: RedisStoreBundle[] = [];

function open(options: RedisStoreOptions = {}): RedisStoreBundle {
  const stores = createRedisStores(
    { client },
    {
      keyPrefix: prefix,
      pushUrlCheck: conformancePushUrlCheck(),
      logger: silentLogger(),
      ...options,
    },
  );
  opened.push(stores);
  return stores;
}

function taskStoreOf(stores: RedisStoreBundle): ScopedTaskStore {
  return stores.taskStore;
}

/** Waits until Redis itself dropped the keys (it expires them on access or by sampling). */
async function waitUntilGone(keys: readonly string[]): Promise<void> {
  await waitFor(
    `${keys.length} keys to expire`,
    async () => (await client.exists(...keys)) === 0,
    20_000,
  );
}

function raw(scope: Scope) {
  const base = baseOf(prefix, scope);
  return {
    base,
    task: (id: string) => taskKey(base, id),
    configs: (id: string) => pushConfigsKey(base, id),
    order: (id: string) => pushOrderKey(base, id),
  };
}

beforeAll(async () => {
  client = await connectTestRedis();
});

afterAll(async () => {
  for (const stores of opened) await stores.close();
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

describe('finishedTaskTtl', () => {
  it('gives a finished task and its push configs one expiry instant, and a working task none', async () => {
    const stores = open({ finishedTaskTtl: LONG_TTL });
    const scope = randomScope();
    const ctx = callContext(scope);
    const keys = raw(scope);
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    await stores.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id: 'first' }));
    expect(await client.pttl(keys.task(task.id))).toBe(-1);
    expect(await client.pttl(keys.configs(task.id))).toBe(-1);

    await stores.taskStore.save({ ...task, status: { ...task.status!, state: COMPLETED } }, ctx);
    const at = await client.pexpiretime(keys.task(task.id));
    const ttl = await client.pttl(keys.task(task.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LONG_TTL);
    expect(await client.pexpiretime(keys.configs(task.id))).toBe(at);
    expect(await client.pexpiretime(keys.order(task.id))).toBe(at);
    expect(Number(await client.zscore(`${keys.base}exp`, task.id))).toBe(at);

    // A config registered after the task finished expires with it too.
    await stores.pushNotificationStore.save(
      task.id,
      ctx,
      makePushConfig(task.id, { id: 'second' }),
    );
    expect(await client.pexpiretime(keys.configs(task.id))).toBe(at);
  });

  it('drops expired tasks from list, totalSize and every index', async () => {
    const stores = open({ finishedTaskTtl: SHORT_TTL });
    const scope = randomScope();
    const ctx = callContext(scope);
    const keys = raw(scope);
    const contextId = 'shared-context';
    const done = [0, 1, 2].map((i) =>
      makeTask({ contextId, state: COMPLETED, timestamp: isoAt(i) }),
    );
    const working = [3, 4].map((i) => makeTask({ contextId, state: WORKING, timestamp: isoAt(i) }));
    for (const task of [...done, ...working]) await stores.taskStore.save(task, ctx);
    await stores.pushNotificationStore.save(done[0]!.id, ctx, makePushConfig(done[0]!.id));
    await waitUntilGone([...done.map((t) => keys.task(t.id)), keys.configs(done[0]!.id)]);

    const all = await stores.taskStore.list(listRequest(), ctx);
    expect(all.totalSize).toBe(2);
    expect(all.tasks.map((t) => t.id)).toEqual([working[1]!.id, working[0]!.id]);
    expect((await stores.taskStore.list(listRequest({ status: COMPLETED }), ctx)).totalSize).toBe(
      0,
    );
    expect((await stores.taskStore.list(listRequest({ contextId }), ctx)).totalSize).toBe(2);
    expect(
      (await stores.taskStore.list(listRequest({ contextId, status: COMPLETED }), ctx)).totalSize,
    ).toBe(0);
    expect(await stores.taskStore.load(done[1]!.id, ctx)).toBeUndefined();

    expect(await client.zcard(`${keys.base}i:all`)).toBe(2);
    expect(await client.zcard(`${keys.base}upd`)).toBe(2);
    expect(
      await client.exists(`${keys.base}i:st:${COMPLETED}`, `${keys.base}exp`, `${keys.base}expm`),
    ).toBe(0);
  });

  it('clears a mass expiry larger than one prune batch before answering', async () => {
    const stores = open({ finishedTaskTtl: SHORT_TTL, expiryPruneBatch: 3 });
    const scope = randomScope();
    const ctx = callContext(scope);
    const keys = raw(scope);
    const done = Array.from({ length: 20 }, (_, i) =>
      makeTask({ state: COMPLETED, timestamp: isoAt(i) }),
    );
    const survivor = makeTask({ state: WORKING, timestamp: isoAt(-1) });
    for (const task of [...done, survivor]) await stores.taskStore.save(task, ctx);
    await waitUntilGone(done.map((t) => keys.task(t.id)));

    const page = await stores.taskStore.list(listRequest({ pageSize: 5 }), ctx);
    expect(page.totalSize).toBe(1);
    expect(page.tasks.map((t) => t.id)).toEqual([survivor.id]);
    expect(await client.zcard(`${keys.base}exp`)).toBe(0);
    expect(await client.zcard(`${keys.base}i:all`)).toBe(1);
  });

  it('starts a task saved again after it expired over, at version 1', async () => {
    const stores = open({ finishedTaskTtl: SHORT_TTL });
    const store = taskStoreOf(stores);
    const scope = randomScope();
    const ctx = callContext(scope);
    const keys = raw(scope);
    const task = makeTask({ state: COMPLETED });
    await store.save(task, ctx);
    await waitUntilGone([keys.task(task.id)]);
    // The expired copy is still in the indexes here; the write must not see it.
    expect(await client.zscore(`${keys.base}exp`, task.id)).not.toBeNull();

    const again = makeTask({ id: task.id, state: WORKING, contextId: 'new-context' });
    await expect(store.saveIfVersion(again, ctx, null)).resolves.toBe(1);
    const page = await store.list(listRequest(), ctx);
    expect(page.totalSize).toBe(1);
    expect(page.tasks[0]?.contextId).toBe('new-context');
    expect(await client.zcard(`${keys.base}i:all`)).toBe(1);
    expect(await client.exists(`${keys.base}i:st:${COMPLETED}`)).toBe(0);
    expect(await client.pttl(keys.task(task.id))).toBe(-1);
  });

  it('lets a store without a TTL keep a finished task it rewrites', async () => {
    const withTtl = open({ finishedTaskTtl: LONG_TTL });
    const withoutTtl = open();
    const scope = randomScope();
    const ctx = callContext(scope);
    const keys = raw(scope);
    const task = makeTask({ state: COMPLETED });
    await withTtl.taskStore.save(task, ctx);
    expect(await client.pttl(keys.task(task.id))).toBeGreaterThan(0);
    await withoutTtl.taskStore.save(task, ctx);
    expect(await client.pttl(keys.task(task.id))).toBe(-1);
    expect(await client.zscore(`${keys.base}exp`, task.id)).toBeNull();
    expect(await client.hexists(`${keys.base}expm`, task.id)).toBe(0);
  });

  it('removes the expiry bookkeeping of a deleted or purged task', async () => {
    const stores = open({ finishedTaskTtl: LONG_TTL });
    const store = taskStoreOf(stores);
    const scope = randomScope();
    const ctx = callContext(scope);
    const keys = raw(scope);
    const deleted = makeTask({ state: COMPLETED });
    const purged = makeTask({ state: COMPLETED });
    await store.save(deleted, ctx);
    await store.save(purged, ctx);
    await expect(store.delete(deleted.id, ctx)).resolves.toBe(true);
    await expect(store.purge({ olderThan: new Date(Date.now() + 60_000), scope })).resolves.toEqual(
      {
        deleted: 1,
      },
    );
    expect(await client.exists(`${keys.base}exp`, `${keys.base}expm`, `${keys.base}upd`)).toBe(0);
    expect(await client.exists(`${keys.base}i:all`)).toBe(0);
  });
});
