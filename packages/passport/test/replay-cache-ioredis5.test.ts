// RedisReplayCache on a client from ioredis 5: the peer range is `^5.3.0 || ^6.0.0` and the
// other tests use 6 (the `ioredis5` dev dependency is `npm:ioredis@^5`). Passing the client
// without a cast also checks that 5's `set` fits our structural `RedisSetNxPx` type.
import { randomUUID } from 'node:crypto';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis as Redis5 } from 'ioredis5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisReplayCache, signPassport, staticKeyResolver, verifyPassport } from '../src/index.js';
import { makeKey } from './helpers.js';

const CLIENT = 'a2a://travel-orchestrator.com';
const AUDIENCE = 'https://agent.example/a2a';

describe('RedisReplayCache on ioredis 5 (real Redis)', () => {
  let redis: Redis5;
  const keyPrefix = `test:passport5:${randomUUID()}:`;

  beforeAll(async () => {
    const backend = await resolveTestBackend('redis');
    redis = new Redis5(backend.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('runs on ioredis 5', async () => {
    const { version } = (await import('ioredis5/package.json', { with: { type: 'json' } })).default;
    expect(version).toMatch(/^5\./);
  });

  it('stores each nonce once with a bounded TTL', async () => {
    const cache = new RedisReplayCache({ client: redis, keyPrefix });
    const now = Date.now();
    expect(await cache.checkAndStore('["a2a://x","nonce-1"]', now + 60_000, now)).toBe(true);
    expect(await cache.checkAndStore('["a2a://x","nonce-1"]', now + 60_000, now)).toBe(false);
    const ttl = await redis.pttl(cache.redisKey('["a2a://x","nonce-1"]'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('lets exactly one of many concurrent verifiers accept a passport', async () => {
    const key = await makeKey('ES256');
    const passport = await signPassport(
      { clientId: CLIENT, state: {} },
      { privateKey: key.privateKey, kid: key.kid, alg: 'ES256', audience: AUDIENCE },
    );
    const keys = staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        verifyPassport(passport, {
          keys,
          audience: AUDIENCE,
          replayCache: new RedisReplayCache({ client: redis, keyPrefix }),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'verified')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'failed' && r.reason === 'replayed')).toHaveLength(7);
  });
});
