import { TaskState } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster } from '@a2a-stores/test-backends';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisStores,
  DEFAULT_CLIENT_OPTIONS,
  REDIS_FORMAT_ID,
  type RedisStoreBundle,
} from '../src/index.js';
import { decodeSortKey, encodeSortKey, indexMember, scopeBase, scopeTag } from '../src/keys.js';
import { keysWithPrefix, testPrefix } from './helpers.js';

/** Tenant/owner pairs built to collide under naive key schemes (concatenation, escaping, tags). */
const HOSTILE_SCOPES: readonly Scope[] = [
  { tenant: 'a', owner: 'b:c' },
  { tenant: 'a:b', owner: 'c' },
  { tenant: 'a', owner: 'b' },
  { tenant: 'a:', owner: 'b' },
  { tenant: '{x}', owner: '' },
  { tenant: '', owner: '{x}' },
  { tenant: '{', owner: '}' },
  { tenant: '}', owner: '{' },
  { tenant: 'a}', owner: '{b' },
  { tenant: '{}', owner: '{}' },
  { tenant: '["a","b"]', owner: '' },
  { tenant: 'a","b', owner: '' },
  { tenant: '租户', owner: 'ユーザー' },
  { tenant: '😀', owner: 'e\u0301' },
  { tenant: '😀', owner: 'é' },
  { tenant: '\u0001', owner: 'x' },
  { tenant: '', owner: '\u0001x' },
  { tenant: '\ufffd', owner: 'x' },
  { tenant: 'x'.repeat(255), owner: 'y'.repeat(255) },
  { tenant: 'tenant', owner: 'owner*?[]' },
  { tenant: 'tenant', owner: 'owner\r\n' },
];

const SHARED_ID = 'task:{shared}:1';

describe('key encoding', () => {
  it('gives every hostile scope its own tag, free of braces', () => {
    // Core refuses lone surrogates and NUL in scopes; the tag would keep them apart anyway.
    const scopes = [
      ...HOSTILE_SCOPES,
      { tenant: '\ud800', owner: 'x' },
      { tenant: '\udc00', owner: 'x' },
      { tenant: '\u0000', owner: 'x' },
      { tenant: '', owner: '\u0000x' },
    ];
    const tags = scopes.map(scopeTag);
    expect(new Set(tags).size).toBe(scopes.length);
    for (const tag of tags) expect(tag).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('encodes sort keys in fixed width, order-preserving and exactly reversible', () => {
    const keys = [
      Number.MIN_SAFE_INTEGER,
      -8.64e15,
      -1,
      0,
      1,
      Date.UTC(2024, 0, 15, 12, 0, 0) - 1,
      Date.UTC(2024, 0, 15, 12, 0, 0),
      Date.UTC(2024, 0, 15, 12, 0, 0) + 1,
      8.64e15,
      Number.MAX_SAFE_INTEGER,
    ];
    const encoded = keys.map(encodeSortKey);
    for (const text of encoded) expect(text).toHaveLength(14);
    expect([...encoded].sort()).toEqual(encoded);
    expect(encoded.map(decodeSortKey)).toEqual(keys);
    expect(() => encodeSortKey(0.5)).toThrow(RangeError);
    expect(decodeSortKey('not hex at all')).toBeNaN();
  });

  it('orders index members by sort key, then id byte-wise', () => {
    const members = [
      indexMember(1, 'b'),
      indexMember(1, 'a'),
      indexMember(0, 'z'),
      indexMember(1, 'a-'),
      indexMember(2, ''),
    ];
    const sorted = [...members].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted).toEqual([
      indexMember(0, 'z'),
      indexMember(1, 'a'),
      indexMember(1, 'a-'),
      indexMember(1, 'b'),
      indexMember(2, ''),
    ]);
  });
});

describe('hostile scopes on a 3-master Redis Cluster', () => {
  const prefix = testPrefix('keys');
  let cluster: RedisClusterInstance;
  let client: Cluster;
  let stores: RedisStoreBundle;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster([...cluster.nodes], { redisOptions: { ...DEFAULT_CLIENT_OPTIONS } });
    client.on('error', () => {});
    stores = createRedisStores(
      { client },
      {
        keyPrefix: prefix,
        finishedTaskTtl: 3_600_000,
        pushUrlCheck: conformancePushUrlCheck(),
        logger: silentLogger(),
      },
    );
    for (const [i, scope] of HOSTILE_SCOPES.entries()) {
      const ctx = callContext(scope);
      const task = makeTask({ id: SHARED_ID, contextId: `ctx-{${i}}`, metadata: { scope: i } });
      await stores.taskStore.save(task, ctx);
      await stores.taskStore.save(
        makeTask({ id: `done-{${i}}`, contextId: '}{', state: TaskState.TASK_STATE_COMPLETED }),
        ctx,
      );
      await stores.pushNotificationStore.save(
        SHARED_ID,
        ctx,
        makePushConfig(SHARED_ID, { id: `push-${i}` }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await stores?.close();
    await client?.quit();
    await cluster?.stop();
  });

  it('never lets one scope read, list or count another', async () => {
    for (const [i, scope] of HOSTILE_SCOPES.entries()) {
      const ctx = callContext(scope);
      const loaded = await stores.taskStore.load(SHARED_ID, ctx);
      expect(loaded?.metadata).toEqual({ scope: i });
      expect(loaded?.contextId).toBe(`ctx-{${i}}`);
      const page = await stores.taskStore.list(listRequest(), ctx);
      expect(page.totalSize).toBe(2);
      expect(page.tasks.map((t) => t.id).sort()).toEqual([`done-{${i}}`, SHARED_ID].sort());
      const configs = await stores.pushNotificationStore.load(SHARED_ID, ctx);
      expect(configs.map((c) => c.id)).toEqual([`push-${i}`]);
    }
  });

  it('keeps every key of a scope on the slot of its tag, whatever the ids and contexts hold', async () => {
    const keys = (await keysWithPrefix(client, prefix)).filter(
      (key) => key !== `${prefix}scopes` && key !== `${prefix}meta`,
    );
    const tags = new Map(HOSTILE_SCOPES.map((scope) => [scopeTag(scope), scope]));
    const keysPerTag = new Map<string, string[]>();
    for (const key of keys) {
      const tag = /^\{([^}]*)\}:/.exec(key.slice(prefix.length))?.[1];
      expect(tag, key).toBeDefined();
      expect(tags.has(tag!), key).toBe(true);
      keysPerTag.set(tag!, [...(keysPerTag.get(tag!) ?? []), key]);
    }
    expect(keysPerTag.size).toBe(HOSTILE_SCOPES.length);
    const slotsUsed = new Set<number>();
    for (const [tag, scopeKeys] of keysPerTag) {
      const slot = Number(await client.cluster('KEYSLOT', scopeBase(prefix, tag)));
      slotsUsed.add(slot);
      // task and push hashes, order list, four indexes, write-time and expiry sets at least.
      expect(scopeKeys.length).toBeGreaterThanOrEqual(10);
      for (const key of scopeKeys)
        expect(Number(await client.cluster('KEYSLOT', key)), key).toBe(slot);
    }
    expect(slotsUsed.size).toBeGreaterThan(1);
  });

  it('migrates every master and sends WAIT to the node that took the write', async () => {
    const waiting = createRedisStores(
      { client },
      {
        keyPrefix: prefix,
        waitForReplicas: { replicas: 0, timeoutMs: 100 },
        logger: silentLogger(),
      },
    );
    try {
      await expect(waiting.migrate()).resolves.toEqual({
        applied: [REDIS_FORMAT_ID],
        current: [REDIS_FORMAT_ID],
      });
      await expect(waiting.migrate()).resolves.toEqual({ applied: [], current: [REDIS_FORMAT_ID] });
      for (const scope of HOSTILE_SCOPES.slice(0, 5)) {
        const ctx = callContext(scope);
        await waiting.taskStore.save(makeTask({ id: 'waited' }), ctx);
        await expect(waiting.taskStore.delete('waited', ctx)).resolves.toBe(true);
      }
    } finally {
      await waiting.close();
    }
  });

  it('spreads scopes over the masters', async () => {
    let mastersWithData = 0;
    for (const node of client.nodes('master')) {
      const [, found] = await node.scan('0', 'MATCH', `${prefix}{*`, 'COUNT', 10_000);
      if (found.length > 0) mastersWithData++;
    }
    expect(mastersWithData).toBeGreaterThan(1);
  });
});
