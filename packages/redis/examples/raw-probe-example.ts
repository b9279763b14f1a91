// test/stores.test.ts: the shared suite on your stores, with a probe on the same client.
import { runStoreConformance } from '@a2a-stores/core/conformance';
import { createRedisStores } from '@a2a-stores/redis';
import { redisRawProbe } from '@a2a-stores/redis/testing';
import { Redis } from 'ioredis';

const client = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = { keyPrefix: 'agent-test:' };

runStoreConformance({
  name: 'redis',
  create: (options) => createRedisStores({ client }, { ...options, ...keys }),
  destroy: async () => {
    await client.quit();
  },
  // Turns on the suite's corrupt-record and "nothing left behind" tests.
  probe: redisRawProbe(client, keys),
});
