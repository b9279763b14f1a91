import { TaskState } from '@a2a-js/sdk';
import { InvalidInputError, type PurgeOptions, type Scope } from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster } from '@a2a-stores/test-backends';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisStores,
  DEFAULT_CLIENT_OPTIONS,
  type RedisClient,
  type RedisStoreBundle,
  type RedisStoreOptions,
} from '../src/index.js';
import { dumpKeys } from '../src/testing/index.js';
import {
  baseOf,
  connectTestRedis,
  deleteKeysWithPrefix,
  keysWithPrefix,
  testPrefix,
} from './helpers.js';

const DAY_MS = 86_400_000;
const ALL_STATES = Object.values(TaskState).filter(
  (s): s is number => typeof s === 'number' && s >= 0,
);

/** Every key under the prefix with its type, content and expiry instant, in key order. */
async function dumpPrefix(
  client: RedisClient,
  prefix: string,
): Promise<Record<string, [string, string, number]>> {
  return dumpKeys(client, await keysWithPrefix(client, prefix));
}

interface Seeded {
  readonly stores: RedisStoreBundle;
  readonly scopes: readonly Scope[];
}

/**
 * Three scopes (one the anonymous one), each with tasks written 40 days ago in finished and
 * waiting states, a recent finished one, and push configs; the first scope also holds an old
 * finished task past its expiry whose keys Redis has not dropped yet (retention's business,
 * never counted as purged).
 */
async function seed(client: RedisClient, prefix: string): Promise<Seeded> {
  const common: RedisStoreOptions = {
    keyPrefix: prefix,
    pushUrlCheck: conformancePushUrlCheck(),
    logger: silentLogger(),
  };
  const old = () => Date.now() - 40 * DAY_MS;
  const oldStores = createRedisStores({ client }, { ...common, now: old });
  const expiring = createRedisStores(
    { client },
    { ...common, now: old, finishedTaskTtl: 7 * DAY_MS },
  );
  const stores = createRedisStores({ client }, common);
  const scopes = [randomScope(), randomScope(), { tenant: '', owner: '' }];
  await stores.migrate();
  for (const scope of scopes) {
    const ctx = callContext(scope);
    const states = [
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_FAILED,
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_INPUT_REQUIRED,
    ];
    for (const state of states) {
      const task = makeTask({ contextId: 'ctx', state });
      await oldStores.taskStore.save(task, ctx);
      await oldStores.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id));
    }
    await stores.taskStore.save(makeTask({ state: TaskState.TASK_STATE_COMPLETED }), ctx);
  }
  const [first] = scopes;
  if (!first) throw new Error('no scope');
  const due = makeTask({ state: TaskState.TASK_STATE_COMPLETED });
  await expiring.taskStore.save(due, callContext(first));
  // Past its expiry in the retention index, keys still there: the next write or purge drops it.
  await client.zadd(`${baseOf(prefix, first)}exp`, 1, due.id);
  await oldStores.close();
  await expiring.close();
  return { stores, scopes };
}

/** The filter combinations, with what each would delete from {@link seed}'s data. */
function cases(scopes: readonly Scope[]): Array<[string, PurgeOptions, number]> {
  const monthAgo = new Date(Date.now() - 30 * DAY_MS);
  const later = new Date(Date.now() + 60_000);
  return [
    ['finished, every scope', { olderThan: monthAgo }, 9],
    ['finished, every scope, batches of 1', { olderThan: monthAgo, batchSize: 1 }, 9],
    [
      'completed only, batches of 2',
      { olderThan: monthAgo, states: [TaskState.TASK_STATE_COMPLETED], batchSize: 2 },
      6,
    ],
    [
      'waiting states, one scope',
      {
        olderThan: monthAgo,
        states: [TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_INPUT_REQUIRED],
        scope: scopes[1],
        batchSize: 1,
      },
      2,
    ],
    [
      'every state, new ones too, batches of 3',
      { olderThan: later, states: ALL_STATES, batchSize: 3 },
      18,
    ],
    ['the anonymous scope', { olderThan: monthAgo, scope: { tenant: '', owner: '' } }, 3],
    ['too recent a cutoff', { olderThan: new Date(Date.now() - 60 * DAY_MS) }, 0],
    ['a scope with no task', { olderThan: later, scope: randomScope() }, 0],
  ];
}

function purgeCountTests(
  label: string,
  connect: () => Promise<RedisClient>,
  done: () => Promise<void>,
): void {
  describe(`countPurgeable on ${label}`, () => {
    const prefix = testPrefix(`purge-count-${label}`);
    let client: RedisClient | undefined;

    beforeAll(async () => {
      client = await connect();
    }, 120_000);

    afterAll(async () => {
      if (client) await deleteKeysWithPrefix(client, prefix);
      await done();
    });

    it('counts exactly what purge then deletes, and changes no key', async () => {
      const redis = client as RedisClient;
      const caseCount = cases([]).length;
      for (let i = 0; i < caseCount; i++) {
        // Fresh data for every case: the purge that checks the count deletes it.
        const runPrefix = `${prefix}${i}:`;
        const { stores, scopes } = await seed(redis, runPrefix);
        const [name, options, expected] = cases(scopes)[i] as [string, PurgeOptions, number];
        const before = await dumpPrefix(redis, runPrefix);
        const progress: number[] = [];
        const counted = await stores.countPurgeable({
          ...options,
          onProgress: (soFar) => progress.push(soFar),
        });
        expect(await dumpPrefix(redis, runPrefix), name).toEqual(before);
        expect(counted, name).toBe(expected);
        expect(progress.at(-1) ?? 0, name).toBe(counted);
        const { deleted } = await stores.taskStore.purge(options);
        expect(deleted, name).toBe(counted);
        await stores.close();
      }
    });

    it('refuses bad options with a typed error and changes nothing', async () => {
      const redis = client as RedisClient;
      const runPrefix = `${prefix}bad:`;
      const { stores } = await seed(redis, runPrefix);
      const before = await dumpPrefix(redis, runPrefix);
      const now = new Date();
      for (const options of [
        { olderThan: new Date(Number.NaN) },
        { olderThan: now, batchSize: 0 },
        { olderThan: now, states: [-1] },
      ]) {
        await expect(stores.countPurgeable(options)).rejects.toBeInstanceOf(InvalidInputError);
      }
      expect(await dumpPrefix(redis, runPrefix)).toEqual(before);
      await stores.close();
    });
  });
}

let standalone: Redis | undefined;
purgeCountTests(
  'standalone',
  async () => {
    standalone = await connectTestRedis();
    return standalone;
  },
  async () => {
    await standalone?.quit();
  },
);

// A 3-master cluster on free loopback ports: every script call must stay on its scope's slot.
let cluster: RedisClusterInstance | undefined;
let clusterClient: Cluster | undefined;
purgeCountTests(
  'cluster',
  async () => {
    cluster = await startRedisCluster(3);
    clusterClient = new Cluster([...cluster.nodes], {
      redisOptions: { ...DEFAULT_CLIENT_OPTIONS },
    });
    clusterClient.on('error', () => {});
    return clusterClient;
  },
  async () => {
    await clusterClient?.quit();
    await cluster?.stop();
  },
);
