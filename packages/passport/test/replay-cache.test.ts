import { randomUUID } from 'node:crypto';
import { freePort, resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryReplayCache,
  RedisReplayCache,
  ReplayCacheUnavailableError,
  signPassport,
  staticKeyResolver,
  verifyPassport,
} from '../src/index.js';
import { makeKey } from './helpers.js';

const CLIENT = 'a2a://travel-orchestrator.com';
const AUDIENCE = 'https://agent.example/a2a';

describe('MemoryReplayCache', () => {
  it('answers first use once per key, until the entry expires', async () => {
    const cache = new MemoryReplayCache();
    expect(await cache.checkAndStore('k', 2_000, 1_000)).toBe(true);
    expect(await cache.checkAndStore('k', 2_000, 1_500)).toBe(false);
    expect(await cache.checkAndStore('other', 2_000, 1_500)).toBe(true);
    // Past its expiry the passport itself is refused as expired, so the key may be forgotten.
    expect(await cache.checkAndStore('k', 3_000, 2_000)).toBe(true);
  });

  it('drops expired entries to make room, and fails closed when every entry is live', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 2 });
    expect(await cache.checkAndStore('a', 1_000, 0)).toBe(true);
    expect(await cache.checkAndStore('b', 5_000, 0)).toBe(true);
    // 'a' expired at 1000: swept to make room for 'c'.
    expect(await cache.checkAndStore('c', 5_000, 2_000)).toBe(true);
    expect(cache.size).toBe(2);
    await expect(cache.checkAndStore('d', 5_000, 2_000)).rejects.toBeInstanceOf(
      ReplayCacheUnavailableError,
    );
    // The live nonces are still remembered: failing closed never forgets one.
    expect(await cache.checkAndStore('b', 5_000, 2_000)).toBe(false);
  });

  it('makes verification fail closed when full', async () => {
    const key = await makeKey('EdDSA');
    const options = {
      keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
      audience: AUDIENCE,
      replayCache: new MemoryReplayCache({ maxEntries: 1 }),
    };
    const sign = () =>
      signPassport(
        { clientId: CLIENT, state: {} },
        { privateKey: key.privateKey, kid: key.kid, alg: 'EdDSA', audience: AUDIENCE },
      );
    expect((await verifyPassport(await sign(), options)).status).toBe('verified');
    expect(await verifyPassport(await sign(), options)).toMatchObject({
      status: 'failed',
      reason: 'replay_cache_unavailable',
    });
  });
});

describe('RedisReplayCache (real Redis)', () => {
  let redis: Redis;
  let keyPrefix: string;

  beforeAll(async () => {
    const backend = await resolveTestBackend('redis');
    redis = new Redis(backend.url, { maxRetriesPerRequest: 1 });
    keyPrefix = `test:passport:${randomUUID()}:`;
  });

  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('stores each nonce with SET NX PX: first use true, replay false, TTL bounded by the expiry', async () => {
    const cache = new RedisReplayCache({ client: redis, keyPrefix });
    const now = Date.now();
    expect(await cache.checkAndStore('["a2a://x","nonce-1"]', now + 60_000, now)).toBe(true);
    expect(await cache.checkAndStore('["a2a://x","nonce-1"]', now + 60_000, now)).toBe(false);
    const redisKey = cache.redisKey('["a2a://x","nonce-1"]');
    expect(redisKey).toMatch(new RegExp(`^${keyPrefix}[0-9a-f]{64}$`));
    const ttl = await redis.pttl(redisKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('lets exactly one of many concurrent verifiers (workers) accept a passport', async () => {
    const key = await makeKey('ES256');
    const passport = await signPassport(
      {
        clientId: CLIENT,
        sessionId: 'travel-booking-session-999',
        state: { loyalty_tier: 'Platinum' },
      },
      { privateKey: key.privateKey, kid: key.kid, alg: 'ES256', audience: AUDIENCE },
    );
    const keys = staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } });
    // Each "worker" has its own cache object, sharing only Redis.
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

  it('fails closed when Redis is unreachable', async () => {
    const deadPort = await freePort();
    const dead = new Redis({
      host: '127.0.0.1',
      port: deadPort,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // The refused connection is expected; without a listener ioredis reports it as unhandled.
    dead.on('error', () => {});
    try {
      const cache = new RedisReplayCache({ client: dead, keyPrefix });
      await expect(cache.checkAndStore('k', Date.now() + 1000, Date.now())).rejects.toBeInstanceOf(
        ReplayCacheUnavailableError,
      );
      const key = await makeKey('EdDSA');
      const passport = await signPassport(
        { clientId: CLIENT, state: {} },
        { privateKey: key.privateKey, kid: key.kid, alg: 'EdDSA', audience: AUDIENCE },
      );
      const result = await verifyPassport(passport, {
        keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
        audience: AUDIENCE,
        replayCache: cache,
      });
      expect(result).toMatchObject({ status: 'failed', reason: 'replay_cache_unavailable' });
    } finally {
      dead.disconnect();
    }
  });
});
