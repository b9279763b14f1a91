import { StoreUnavailableError } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import {
  type RedisInstance,
  redisCli,
  startRedisInstance,
  waitFor,
} from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisStores,
  type RedisStoreBundle,
  type RedisStoreOptions,
  ReplicaAckError,
} from '../src/index.js';
import { taskKey } from '../src/keys.js';
import { baseOf } from './helpers.js';

const prefix = 'replicas:';
let primary: RedisInstance;
let replica: RedisInstance | undefined;
const opened: RedisStoreBundle[] = [];

function open(options: RedisStoreOptions): RedisStoreBundle {
  const stores = createRedisStores(
    { url: primary.url },
    {
      keyPrefix: prefix,
      logger: silentLogger(),
      pushUrlCheck: conformancePushUrlCheck(),
      ...options,
    },
  );
  opened.push(stores);
  return stores;
}

beforeAll(async () => {
  primary = await startRedisInstance();
}, 60_000);

afterAll(async () => {
  for (const stores of opened) await stores.close();
  await replica?.stop();
  await primary?.stop();
});

describe('waitForReplicas', () => {
  it('accepts writes at once when 0 replicas are required', async () => {
    const stores = open({ waitForReplicas: { replicas: 0, timeoutMs: 100 } });
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    await expect(stores.taskStore.load(task.id, ctx)).resolves.toMatchObject({ id: task.id });
  });

  it('throws ReplicaAckError when no replica acknowledges, with the write applied on the primary', async () => {
    const waiting = open({ waitForReplicas: { replicas: 1, timeoutMs: 50 } });
    const plain = open({});
    const ctx = callContext(randomScope());
    const task = makeTask();
    const error = await waiting.taskStore.save(task, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReplicaAckError);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', required: 1, acknowledged: 0 });
    await expect(plain.taskStore.load(task.id, ctx)).resolves.toMatchObject({ id: task.id });

    await plain.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id, { id: 'cfg' }));
    await expect(waiting.pushNotificationStore.delete(task.id, ctx, 'cfg')).rejects.toBeInstanceOf(
      ReplicaAckError,
    );
    await expect(waiting.taskStore.delete(task.id, ctx)).rejects.toBeInstanceOf(ReplicaAckError);
    await expect(plain.taskStore.load(task.id, ctx)).resolves.toBeUndefined();
  });

  it('returns once a real replica acknowledged, and the replica holds the write', async () => {
    // Full sync at once, instead of after the default 5 s diskless-sync delay.
    await redisCli(primary.port, ['config', 'set', 'repl-diskless-sync-delay', '0']);
    replica = await startRedisInstance({
      extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
    });
    await waitFor(
      'the replica link',
      async () =>
        (await redisCli(replica!.port, ['info', 'replication'])).includes('master_link_status:up'),
      30_000,
    );
    const stores = open({ waitForReplicas: { replicas: 1, timeoutMs: 10_000 } });
    const scope = randomScope();
    const ctx = callContext(scope);
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    const onReplica = new Redis(replica.url, { maxRetriesPerRequest: 0 });
    try {
      // No wait here: WAIT already proved the replica has it.
      expect(await onReplica.hget(taskKey(baseOf(prefix, scope), task.id), 'v')).toBe('1');
    } finally {
      onReplica.disconnect();
    }
  });
});
