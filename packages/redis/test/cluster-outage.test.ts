import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  listRequest,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type RedisStoreBundle } from '../src/index.js';

let cluster: RedisClusterInstance;
let stores: RedisStoreBundle;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  stores = createRedisStores(
    { cluster: [...cluster.nodes] },
    { keyPrefix: 'outage:', logger: silentLogger() },
  );
}, 120_000);

afterAll(async () => {
  await stores?.close();
  await cluster?.stop();
});

describe('a Redis Cluster that loses every node', () => {
  it('fails calls with StoreUnavailableError, never holds them, and recovers when it returns', async () => {
    const ctx = callContext(randomScope());
    const before = makeTask();
    await stores.taskStore.save(before, ctx);
    await cluster.kill();

    // Every call settles with a typed error, in bounded time (the test's timeout would catch a
    // held call); concurrent calls share one readiness wait.
    const calls = [
      stores.taskStore.load(before.id, ctx),
      stores.taskStore.save(makeTask(), ctx),
      stores.taskStore.list(listRequest(), ctx),
      stores.pushNotificationStore.load(before.id, ctx),
    ];
    // All checked at once: awaited one by one, a call rejecting before its turn would have no
    // handler yet (an unhandled rejection fails the whole run).
    await Promise.all(
      calls.map((call) => expect(call).rejects.toBeInstanceOf(StoreUnavailableError)),
    );
    // Later calls, once the client knows the cluster is gone, wait for it a bounded time.
    await expect(stores.taskStore.load(before.id, ctx)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await cluster.restart();
    const after = makeTask();
    await waitFor(
      'writes to succeed after the restart',
      () => stores.taskStore.save(after, ctx).then(() => true),
      60_000,
    );
    await expect(stores.taskStore.load(after.id, ctx)).resolves.toMatchObject({ id: after.id });
  }, 120_000);
});
