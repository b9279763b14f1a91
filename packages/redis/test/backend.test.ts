import { TaskState } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  isoAt,
  listAll,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, DEFAULT_CLIENT_OPTIONS, type RedisStoreBundle } from '../src/index.js';
import { encodeSortKey, scopeTag } from '../src/keys.js';
import {
  baseOf,
  connectTestRedis,
  deleteKeysWithPrefix,
  keysWithPrefix,
  testPrefix,
} from './helpers.js';

const prefix = testPrefix('backend');
const COMPLETED = TaskState.TASK_STATE_COMPLETED;
const WORKING = TaskState.TASK_STATE_WORKING;
const FAILED = TaskState.TASK_STATE_FAILED;
let client: Redis;
const opened: RedisStoreBundle[] = [];

function open(keyPrefix = prefix, connection: Redis = client): RedisStoreBundle {
  const stores = createRedisStores(
    { client: connection },
    { keyPrefix, pushUrlCheck: conformancePushUrlCheck(), logger: silentLogger() },
  );
  opened.push(stores);
  return stores;
}

/** Every index key of a scope with its members, for checks of index maintenance. */
async function indexes(scope: Scope, keyPrefix = prefix): Promise<Record<string, string[]>> {
  const base = baseOf(keyPrefix, scope);
  const result: Record<string, string[]> = {};
  for (const key of await keysWithPrefix(client, `${base}i:`)) {
    result[key.slice(base.length)] = await client.zrange(key, 0, -1);
  }
  return result;
}

beforeAll(async () => {
  client = await connectTestRedis();
});

afterAll(async () => {
  for (const stores of opened) await stores.close();
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

describe('index maintenance', () => {
  it('moves a task between context and status indexes in the same write, and delete leaves none', async () => {
    const { taskStore, pushNotificationStore } = open();
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = makeTask({ contextId: 'c1', state: WORKING, timestamp: isoAt(0) });
    await taskStore.save(task, ctx);
    const first = `${encodeSortKey(Date.parse(isoAt(0)))}${task.id}`;
    expect(await indexes(scope)).toEqual({
      'i:all': [first],
      'i:ctx:"c1"': [first],
      [`i:st:${WORKING}`]: [first],
      [`i:cs:${WORKING}:"c1"`]: [first],
    });

    await taskStore.save(
      {
        ...task,
        contextId: 'c2',
        status: { state: COMPLETED, message: undefined, timestamp: isoAt(5) },
      },
      ctx,
    );
    const second = `${encodeSortKey(Date.parse(isoAt(5)))}${task.id}`;
    expect(await indexes(scope)).toEqual({
      'i:all': [second],
      'i:ctx:"c2"': [second],
      [`i:st:${COMPLETED}`]: [second],
      [`i:cs:${COMPLETED}:"c2"`]: [second],
    });

    await pushNotificationStore.save(task.id, ctx, makePushConfig(task.id));
    await expect(taskStore.delete(task.id, ctx)).resolves.toBe(true);
    expect(await indexes(scope)).toEqual({});
    expect(await keysWithPrefix(client, baseOf(prefix, scope))).toEqual([]);
  });

  it('keeps the entries a write leaves in place and moves only the ones that change', async () => {
    const { taskStore } = open();
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = makeTask({ contextId: 'c1', state: WORKING, timestamp: isoAt(0) });
    const member = `${encodeSortKey(Date.parse(isoAt(0)))}${task.id}`;
    await taskStore.save(task, ctx);
    // Same coordinates (e.g. a history append): every entry stays.
    await taskStore.save({ ...task, history: [...(task.history ?? [])] }, ctx);
    expect(await indexes(scope)).toEqual({
      'i:all': [member],
      'i:ctx:"c1"': [member],
      [`i:st:${WORKING}`]: [member],
      [`i:cs:${WORKING}:"c1"`]: [member],
    });
    // Same sort key and context, new state: only the state indexes move.
    await taskStore.save(
      { ...task, status: { state: FAILED, message: undefined, timestamp: isoAt(0) } },
      ctx,
    );
    expect(await indexes(scope)).toEqual({
      'i:all': [member],
      'i:ctx:"c1"': [member],
      [`i:st:${FAILED}`]: [member],
      [`i:cs:${FAILED}:"c1"`]: [member],
    });
    const page = await taskStore.list(listRequest({ contextId: 'c1' }), ctx);
    expect(page.tasks.map((t) => t.id)).toEqual([task.id]);
    expect(page.totalSize).toBe(1);
    const byState = async (status: TaskState) =>
      (await taskStore.list(listRequest({ contextId: 'c1', status }), ctx)).tasks.map((t) => t.id);
    await expect(byState(FAILED)).resolves.toEqual([task.id]);
    await expect(byState(WORKING)).resolves.toEqual([]);
  });

  it('deletes the push configs of a task that does not exist', async () => {
    const { taskStore, pushNotificationStore } = open();
    const scope = randomScope();
    const ctx = callContext(scope);
    await pushNotificationStore.save('orphan', ctx, makePushConfig('orphan'));
    await expect(taskStore.delete('orphan', ctx)).resolves.toBe(false);
    await expect(pushNotificationStore.load('orphan', ctx)).resolves.toEqual([]);
    expect(await keysWithPrefix(client, baseOf(prefix, scope))).toEqual([]);
  });
});

describe('list on combined filters', () => {
  it('pages context + status + after exactly once, with exact totals on every page', async () => {
    const { taskStore } = open();
    const ctx = callContext(randomScope());
    const tasks = [];
    // 3 contexts x 3 states x 8 timestamps, with ties (two tasks per timestamp) and undated tasks.
    for (const contextId of ['a', 'b', 'a:b']) {
      for (const state of [WORKING, COMPLETED, FAILED]) {
        for (let i = 0; i < 8; i++) {
          tasks.push(
            makeTask({ contextId, state, timestamp: i === 7 ? null : isoAt(Math.floor(i / 2)) }),
          );
        }
      }
    }
    for (const task of tasks) await taskStore.save(task, ctx);

    const after = isoAt(0);
    const matching = tasks.filter(
      (t) =>
        t.contextId === 'a' &&
        t.status?.state === COMPLETED &&
        t.status.timestamp !== undefined &&
        Date.parse(t.status.timestamp) > Date.parse(after),
    );
    expect(matching).toHaveLength(5);
    const pages = [];
    let pageToken = '';
    do {
      const page = await taskStore.list(
        listRequest({
          contextId: 'a',
          status: COMPLETED,
          statusTimestampAfter: after,
          pageSize: 3,
          pageToken,
        }),
        ctx,
      );
      expect(page.totalSize).toBe(5);
      pages.push(...page.tasks.map((t) => t.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect([...pages].sort()).toEqual(matching.map((t) => t.id).sort());
    expect(new Set(pages).size).toBe(pages.length);

    const inContext = tasks.filter((t) => t.contextId === 'a:b' && t.status?.state === FAILED);
    const { ids } = await listAll(taskStore, ctx, {
      contextId: 'a:b',
      status: FAILED,
      pageSize: 2,
    });
    expect([...ids].sort()).toEqual(inContext.map((t) => t.id).sort());
    expect(ids.at(-1)).toBe(inContext.find((t) => t.status?.timestamp === undefined)?.id);
  });
});

describe('purge across scopes', () => {
  it('finds every scope through the registry, and only this prefix', async () => {
    const purgePrefix = `${prefix}purge:`;
    const stores = open(purgePrefix);
    const other = open(`${prefix}other:`);
    const scopes = [randomScope(), randomScope(), { tenant: '', owner: '' }];
    for (const scope of scopes) {
      const ctx = callContext(scope);
      await stores.taskStore.save(makeTask({ state: COMPLETED }), ctx);
      await stores.taskStore.save(makeTask({ state: WORKING }), ctx);
      await other.taskStore.save(makeTask({ state: COMPLETED }), ctx);
    }
    expect((await client.smembers(`${purgePrefix}scopes`)).sort()).toEqual(
      scopes.map(scopeTag).sort(),
    );
    await expect(
      stores.taskStore.purge({ olderThan: new Date(Date.now() + 60_000) }),
    ).resolves.toEqual({
      deleted: 3,
    });
    for (const scope of scopes) {
      const ctx = callContext(scope);
      expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(1);
      expect((await other.taskStore.list(listRequest(), ctx)).totalSize).toBe(1);
    }
  });
});

describe('a client with its own ioredis keyPrefix', () => {
  it('keeps every key, including those derived inside scripts, under that prefix', async () => {
    const outer = `${prefix}outer:`;
    const prefixed = new Redis((await resolveTestBackend('redis')).url, {
      ...DEFAULT_CLIENT_OPTIONS,
      keyPrefix: outer,
    });
    try {
      const { taskStore, pushNotificationStore } = open('inner:', prefixed);
      const scope = randomScope();
      const ctx = callContext(scope);
      const task = makeTask({ contextId: 'ctx', state: COMPLETED });
      await taskStore.save(task, ctx);
      await pushNotificationStore.save(task.id, ctx, makePushConfig(task.id));
      expect(
        (await taskStore.list(listRequest({ contextId: 'ctx', status: COMPLETED }), ctx)).totalSize,
      ).toBe(1);
      const keys = await keysWithPrefix(client, `${outer}inner:`);
      expect(keys.length).toBeGreaterThanOrEqual(8);
      expect(await client.exists(`inner:scopes`)).toBe(0);
      await expect(taskStore.purge({ olderThan: new Date(Date.now() + 60_000) })).resolves.toEqual({
        deleted: 1,
      });
      expect(await keysWithPrefix(client, `${outer}inner:{`)).toEqual([]);
    } finally {
      await prefixed.quit();
    }
  });
});
