import { createMemoryStores, type StoreBundle, StoreClosedError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LimitedKeyCache, resolveCacheLimits } from '../src/data-key-cache.js';
import { parseEnvelope } from '../src/envelope-format.js';
import {
  type DataKeyCacheOptions,
  KmsUnavailableError,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '../src/index.js';
import { startKmsFixture } from './support/kms-fixture.js';

const fixture = await startKmsFixture();
afterAll(() => fixture.close());
afterEach(() => fixture.kms.setOutage(undefined));

const calls = (operation: 'GenerateDataKey' | 'Decrypt') => fixture.kms.requestCount(operation);

function open(cache?: boolean | DataKeyCacheOptions, inner: StoreBundle = innerStores()) {
  const stores = withEnvelopeEncryption(inner, {
    keyring: fixture.keyring(),
    taskFields: TASK_FIELDS,
    ...(cache === undefined ? {} : { cache }),
  });
  const scope = randomScope();
  fixture.kms.resetCounts();
  return { inner, stores, ctx: callContext(scope) };
}

function innerStores(): StoreBundle {
  return createMemoryStores({ pushUrlCheck: conformancePushUrlCheck() });
}

/** The wrapped data key of a push config's sealed token, as stored. */
async function storedTokenKey(env: ReturnType<typeof open>, taskId: string): Promise<string> {
  const [config] = await env.inner.pushNotificationStore.load(taskId, env.ctx);
  return Buffer.from(parseEnvelope(config!.token).wrapped.ciphertext).toString('base64');
}

describe('KMS calls without a cache', () => {
  it('one GenerateDataKey per write and one Decrypt per read, per record', async () => {
    const env = open();
    const task = makeTask({ artifactCount: 1, metadata: { a: 1 } });
    await env.stores.taskStore.save(task, env.ctx);
    expect(calls('GenerateDataKey')).toBe(1);
    await env.stores.taskStore.load(task.id, env.ctx);
    await env.stores.taskStore.load(task.id, env.ctx);
    expect(calls('Decrypt')).toBe(2);
    await env.stores.pushNotificationStore.save(task.id, env.ctx, makePushConfig(task.id));
    expect(calls('GenerateDataKey')).toBe(2);
    for (const extra of [makeTask(), makeTask()]) await env.stores.taskStore.save(extra, env.ctx);
    fixture.kms.resetCounts();
    await env.stores.taskStore.list(listRequest({ includeArtifacts: true }), env.ctx);
    expect(calls('Decrypt')).toBe(3);
    expect(calls('GenerateDataKey')).toBe(0);
  });
});

describe('data-key cache', () => {
  it('decrypt side: reads served from the cache make no KMS call', async () => {
    const inner = innerStores();
    const writer = open({ encrypt: false }, inner);
    const task = makeTask();
    await writer.stores.taskStore.save(task, writer.ctx);
    for (let i = 0; i < 10; i++) await writer.stores.taskStore.load(task.id, writer.ctx);
    expect(calls('GenerateDataKey')).toBe(1);
    expect(calls('Decrypt')).toBe(0);

    const reader = open({}, inner);
    for (let i = 0; i < 10; i++) await reader.stores.taskStore.load(task.id, writer.ctx);
    expect(calls('Decrypt')).toBe(1);
  });

  it('encrypt side: a data key is reused for the same record only, at most maxUses times', async () => {
    const env = open({ maxUses: 3 });
    const task = makeTask();
    const config = makePushConfig(task.id, { id: 'hook' });
    const keys: string[] = [];
    for (let i = 0; i < 7; i++) {
      await env.stores.pushNotificationStore.save(task.id, env.ctx, { ...config, token: `t${i}` });
      keys.push(await storedTokenKey(env, task.id));
    }
    expect(calls('GenerateDataKey')).toBe(3);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(new Set(keys.slice(3, 6)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
    expect(keys[6]).not.toBe(keys[3]);
    // Another record never shares a cached key.
    const other = makeTask();
    await env.stores.pushNotificationStore.save(other.id, env.ctx, { ...config });
    expect(calls('GenerateDataKey')).toBe(4);
    expect(await storedTokenKey(env, other.id)).not.toBe(keys[6]);
  });

  it('encrypt side: maxBytes bounds the plaintext sealed under one data key', async () => {
    const token = 'x'.repeat(100);
    const env = open({ maxBytes: 250 });
    const taskId = makeTask().id;
    for (let i = 0; i < 5; i++) {
      await env.stores.pushNotificationStore.save(taskId, env.ctx, {
        ...makePushConfig(taskId, { id: 'hook', token }),
        authentication: undefined,
      });
    }
    // 100 bytes per write: two writes fit in 250, the third needs a new key.
    expect(calls('GenerateDataKey')).toBe(3);
  });

  it('maxAgeMs: a key older than the limit is never used again', async () => {
    let now = 1_000_000;
    const env = open({ maxAgeMs: 5000, now: () => now });
    const task = makeTask();
    await env.stores.taskStore.save(task, env.ctx);
    now += 4999;
    await env.stores.taskStore.save(task, env.ctx);
    await env.stores.taskStore.load(task.id, env.ctx);
    expect(calls('GenerateDataKey')).toBe(1);
    expect(calls('Decrypt')).toBe(0);
    now += 1;
    await env.stores.taskStore.load(task.id, env.ctx);
    expect(calls('Decrypt')).toBe(1);
    await env.stores.taskStore.save(task, env.ctx);
    expect(calls('GenerateDataKey')).toBe(2);
  });

  it('during a KMS outage, cache hits still serve and misses fail with KmsUnavailableError', async () => {
    const env = open({});
    const task = makeTask();
    await env.stores.taskStore.save(task, env.ctx);
    fixture.kms.setOutage('http-500');
    await expect(env.stores.taskStore.load(task.id, env.ctx)).resolves.toBeDefined();
    await env.stores.taskStore.save({ ...task, metadata: { again: true } }, env.ctx);
    const error = await rejectionOf(env.stores.taskStore.save(makeTask(), env.ctx));
    expect(error).toBeInstanceOf(KmsUnavailableError);
  });

  it('close() wipes the cache and the stores refuse calls afterwards', async () => {
    const inner = innerStores();
    const env = open({}, inner);
    const task = makeTask();
    await env.stores.taskStore.save(task, env.ctx);
    await env.stores.close();
    expect(await rejectionOf(env.stores.taskStore.load(task.id, env.ctx))).toBeInstanceOf(
      StoreClosedError,
    );
    expect(
      await rejectionOf(env.stores.pushNotificationStore.load(task.id, env.ctx)),
    ).toBeInstanceOf(StoreClosedError);
  });
});

describe('LimitedKeyCache', () => {
  /** Puts a key and returns the cache's own copy (captured from its allocation) to watch it. */
  function putWatched(cache: LimitedKeyCache<string>, id: string, bytes = 0): Buffer {
    const alloc = vi.spyOn(Buffer, 'alloc');
    try {
      cache.put(id, Buffer.alloc(32, 0xab), 'extra', bytes);
      return alloc.mock.results.at(-1)!.value as Buffer;
    } finally {
      alloc.mockRestore();
    }
  }
  const zeroed = (key: Buffer) => key.every((byte) => byte === 0);

  it('hands out copies and counts the first use', () => {
    const cache = new LimitedKeyCache<string>(resolveCacheLimits({ maxUses: 3 }));
    const internal = putWatched(cache, 'a');
    const first = cache.take('a', 0)!;
    first.key.fill(1);
    expect(internal.every((b) => b === 0xab)).toBe(true);
    expect(cache.take('a', 0)).toBeDefined();
    expect(cache.take('a', 0)).toBeUndefined();
    expect(zeroed(internal)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('zeroes a key evicted by bytes, by age, by LRU and by clear()', () => {
    let now = 0;
    const cache = new LimitedKeyCache<string>(
      resolveCacheLimits({ maxBytes: 100, maxAgeMs: 50, maxEntries: 2, now: () => now }),
    );
    const byBytes = putWatched(cache, 'bytes', 60);
    expect(cache.take('bytes', 41)).toBeUndefined();
    expect(zeroed(byBytes)).toBe(true);

    const byAge = putWatched(cache, 'age');
    now = 50;
    expect(cache.take('age', 0)).toBeUndefined();
    expect(zeroed(byAge)).toBe(true);

    const oldest = putWatched(cache, 'one');
    const second = putWatched(cache, 'two');
    const third = putWatched(cache, 'three');
    expect(zeroed(oldest)).toBe(true);
    expect(zeroed(second) || zeroed(third)).toBe(false);
    cache.clear();
    expect(zeroed(second) && zeroed(third)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('wipes a key when its age limit passes, even if nobody asks for it again', () => {
    vi.useFakeTimers();
    try {
      const cache = new LimitedKeyCache<string>(resolveCacheLimits({ maxAgeMs: 1000 }));
      const internal = putWatched(cache, 'idle');
      vi.advanceTimersByTime(999);
      expect(zeroed(internal)).toBe(false);
      vi.advanceTimersByTime(1);
      expect(zeroed(internal)).toBe(true);
      expect(cache.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses limits outside their bounds', () => {
    for (const bad of [
      { maxAgeMs: 0 },
      { maxAgeMs: 86_400_001 },
      { maxUses: -1 },
      { maxUses: 1.5 },
      { maxBytes: Number.NaN },
      { maxEntries: 0 },
    ]) {
      expect(() => resolveCacheLimits(bad), JSON.stringify(bad)).toThrow(TypeError);
    }
  });
});
