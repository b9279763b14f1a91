import { runStoreConformance } from '@a2a-stores/core/conformance';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { connectTestRedis, deleteKeysWithPrefix, redisHarness, testPrefix } from './helpers.js';

const prefix = testPrefix('conformance');
let client: Redis;

beforeAll(async () => {
  client = await connectTestRedis();
});

afterAll(async () => {
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
});

runStoreConformance(redisHarness('redis', () => client, prefix));
