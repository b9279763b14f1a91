import {
  callContext,
  conformancePushUrlCheck,
  makeTask,
  randomScope,
  runStoreConformance,
  silentLogger,
} from '@a2a-stores/core/conformance';
import {
  type RedisSentinelGroup,
  startRedisSentinelGroup,
  waitFor,
} from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, DEFAULT_CLIENT_OPTIONS, type RedisStoreBundle } from '../src/index.js';
import { redisHarness, testPrefix } from './helpers.js';
import { randomContexts, WriteLoad } from './write-load.js';

// A master, two replicas and three sentinels (quorum 2) started by this file. Two replicas, so
// that after the master is lost the promoted one still has a replica to acknowledge WAIT.
const DURABILITY = { replicas: 1, timeoutMs: 1_000 } as const;
let group: RedisSentinelGroup;
let shared: Redis;
const opened: RedisStoreBundle[] = [];

beforeAll(async () => {
  group = await startRedisSentinelGroup({ replicas: 2, sentinels: 3 });
  // A user-made ioredis client with sentinels: the form the conformance suite goes through.
  shared = new Redis({
    ...DEFAULT_CLIENT_OPTIONS,
    sentinels: [...group.sentinels],
    name: group.masterName,
  });
  shared.on('error', () => {});
}, 90_000);

afterAll(async () => {
  for (const stores of opened) await stores.close();
  shared?.disconnect();
  await group?.stop();
});

describe('Redis Sentinel: the conformance suite through an ioredis client with sentinels', () => {
  runStoreConformance(
    redisHarness('redis sentinel', () => shared, testPrefix('sentinel'), {
      waitForReplicas: { replicas: 2, timeoutMs: 5_000 },
    }),
  );
});

describe('Redis Sentinel: { sentinels, name } connection', () => {
  it('refuses a malformed sentinel list or a missing master name with TypeError', () => {
    expect(() => createRedisStores({ sentinels: [], name: 'm' })).toThrow(TypeError);
    expect(() =>
      createRedisStores({ sentinels: [{ host: '127.0.0.1', port: 0 }], name: 'm' }),
    ).toThrow(/sentinels/);
    expect(() =>
      createRedisStores({ sentinels: [{ host: '127.0.0.1', port: 26379 }], name: '' }),
    ).toThrow(/master name/);
  });

  it('loses no WAIT-acknowledged write when the master is SIGKILLed under load; the same stores recover on the promoted replica', async () => {
    const stores = createRedisStores(
      { sentinels: [...group.sentinels], name: group.masterName },
      {
        keyPrefix: testPrefix('sentinel-failover'),
        waitForReplicas: DURABILITY,
        logger: silentLogger(),
        pushUrlCheck: conformancePushUrlCheck(),
      },
    );
    opened.push(stores);
    const ctx = callContext(randomScope());
    const before = makeTask();
    await stores.taskStore.save(before, ctx);

    const load = new WriteLoad(stores, randomContexts(8), 8);
    await waitFor('300 acknowledged writes', async () => load.acked.length >= 300, 30_000);
    const oldMaster = await group.masterPort();
    const victim = group.servers.find((server) => server.port === oldMaster)!;
    load.markFault();
    await victim.kill('SIGKILL');
    await waitFor(
      'the sentinels to promote a replica',
      async () => (await group.masterPort()) !== oldMaster,
      30_000,
    );
    await waitFor(
      '200 acknowledged writes after the failover',
      async () => load.acknowledgedSinceFault >= 200,
      45_000,
    );
    await load.stop();

    const figures = await load.verify(stores);
    console.info(
      `[sentinel failover] acknowledged=${figures.acknowledged} found=${figures.found} lost=${figures.lost} errors=${figures.errors} secondsToRecover=${figures.secondsToRecover} slowestFailureMs=${figures.slowestFailureMs}`,
    );
    expect(figures.untypedErrors).toEqual([]);
    expect(figures.lost).toBe(0);
    expect(figures.secondsToRecover).toBeDefined();
    // Fail fast: no call waits out the switch; the bound is the command timeout (10 s).
    expect(figures.slowestFailureMs).toBeLessThan(10_000);
    await expect(stores.taskStore.load(before.id, ctx)).resolves.toMatchObject({ id: before.id });
    // The new master is the one the stores write to.
    const direct = new Redis({ port: await group.masterPort(), host: '127.0.0.1' });
    try {
      expect((await direct.info('replication')).includes('role:master')).toBe(true);
    } finally {
      direct.disconnect();
    }
  }, 90_000);
});
