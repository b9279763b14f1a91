import { StoreConfigurationError } from '@a2a-stores/core';
import { callContext, randomScope } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../src/index.js';
import { connectTestRedis, deleteKeysWithPrefix, keysWithPrefix, testPrefix } from './helpers.js';

const prefix = testPrefix('dbindex');
let db0: Redis;
let baseUrl: string;

/** The test server's URL on database `index`. */
function urlOn(index: number): string {
  const url = new URL(baseUrl);
  url.pathname = `/${index}`;
  return url.toString();
}

beforeAll(async () => {
  baseUrl = (await resolveTestBackend('redis')).url;
  db0 = await connectTestRedis();
});

afterAll(async () => {
  await deleteKeysWithPrefix(db0, prefix);
  db0.disconnect();
});

describe('a database index the server does not have', () => {
  it('is refused with a typed error by migrate(), calls and health(), and writes nothing', async () => {
    // A standard server has 16 databases (0-15); 99 is out of range on it.
    const stores = createRedisStores({ url: urlOn(99) }, { keyPrefix: prefix });
    try {
      const migrated = await stores.migrate().catch((error: unknown) => error);
      expect(migrated).toBeInstanceOf(StoreConfigurationError);
      expect((migrated as StoreConfigurationError).problem).toBe('missing-database');
      expect((migrated as Error).message).toContain('database index 99 is out of range');
      const loaded = await stores.taskStore
        .load('t1', callContext(randomScope()))
        .catch((error: unknown) => error);
      expect(loaded).toBeInstanceOf(StoreConfigurationError);
      const health = await stores.health();
      expect(health).toMatchObject({ healthy: false, reachable: false });
      expect(health.problem?.code).toBe('STORE_CONFIGURATION');
    } finally {
      await stores.close();
    }
    expect(await keysWithPrefix(db0, prefix)).toEqual([]);
  });

  it('a database index the server has works, and its keys stay in that database', async () => {
    const stores = createRedisStores({ url: urlOn(1) }, { keyPrefix: prefix });
    const db1 = new Redis(urlOn(1));
    db1.on('error', () => {});
    try {
      expect((await stores.health()).pendingMigrations).toEqual(['redis-format-3']);
      await stores.migrate();
      expect(await stores.health()).toMatchObject({ healthy: true, schemaCurrent: true });
      expect(await keysWithPrefix(db1, prefix)).not.toEqual([]);
      expect(await keysWithPrefix(db0, prefix)).toEqual([]);
    } finally {
      await deleteKeysWithPrefix(db1, prefix);
      await stores.close();
      db1.disconnect();
    }
  });
});
