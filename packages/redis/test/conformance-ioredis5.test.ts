// The whole conformance suite on a client from ioredis 5: the peer range is `^5.3.0 || ^6.0.0`
// and the main test run uses 6, so this file keeps 5 honest (the `ioredis5` dev dependency is
// `npm:ioredis@^5`).
import { runStoreConformance } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import type { Redis } from 'ioredis';
import { Redis as Redis5, type RedisOptions as RedisOptions5 } from 'ioredis5';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CLIENT_OPTIONS } from '../src/index.js';
import { deleteKeysWithPrefix, redisHarness, testPrefix } from './helpers.js';

const prefix = testPrefix('conformance-ioredis5');
let client: Redis5;

beforeAll(async () => {
  const backend = await resolveTestBackend('redis');
  // The same plain values (timeouts, retries); only the option types are 6's.
  client = new Redis5(backend.url, { ...(DEFAULT_CLIENT_OPTIONS as unknown as RedisOptions5) });
  client.on('error', () => {});
});

afterAll(async () => {
  await deleteKeysWithPrefix(asTyped(client), prefix);
  await client.quit();
});

/**
 * Our typings name the `ioredis` a user installed; in this workspace that is 6, whose classes
 * differ from 5's in private members only, so the 5 client is viewed through 6's type here.
 */
function asTyped(redis5: Redis5): Redis {
  return redis5 as unknown as Redis;
}

it('runs on ioredis 5', async () => {
  const { version } = (await import('ioredis5/package.json', { with: { type: 'json' } })).default;
  expect(version).toMatch(/^5\./);
});

runStoreConformance(redisHarness('redis (ioredis 5)', () => asTyped(client), prefix));
