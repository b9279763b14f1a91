import { createHash } from 'node:crypto';
import { ReplayCacheUnavailableError } from '../errors.js';
import type { ReplayCache } from './replay-cache.js';

/**
 * The one Redis command the cache needs, as ioredis' `Redis` and `Cluster` declare it; any client
 * with this method works.
 */
export interface RedisSetNxPx {
  set(
    key: string,
    value: string,
    millisecondsToken: 'PX',
    milliseconds: number,
    nx: 'NX',
  ): Promise<'OK' | null>;
}

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions {
  /** An ioredis `Redis` or `Cluster` (or anything with the same `set`). Not closed by the cache. */
  readonly client: RedisSetNxPx;
  /** Prefix of every key. Default `a2a-passport:nonce:`. */
  readonly keyPrefix?: string;
}

/**
 * Replay cache shared by every worker: one `SET key 1 PX <ttl> NX` per passport, atomic in Redis,
 * so two workers racing on one nonce see exactly one first use. Entries expire with the passport.
 * Keys are `prefix + sha256(key)`: bounded length, no hash-tag braces from client ids. A Redis
 * error makes verification fail closed (`replay_cache_unavailable`).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisReplayCache } from '@a2a-stores/passport';
 * const replayCache = new RedisReplayCache({ client: new Redis('redis://127.0.0.1:6379') });
 * ```
 */
export class RedisReplayCache implements ReplayCache {
  readonly #client: RedisSetNxPx;
  readonly #prefix: string;

  constructor(options: RedisReplayCacheOptions) {
    if (!options?.client || typeof options.client.set !== 'function') {
      throw new TypeError('RedisReplayCache needs an ioredis client');
    }
    this.#client = options.client;
    this.#prefix = options.keyPrefix ?? 'a2a-passport:nonce:';
  }

  /** The Redis key a replay key is stored under (for operators and tests). */
  redisKey(key: string): string {
    return this.#prefix + createHash('sha256').update(key, 'utf8').digest('hex');
  }

  async checkAndStore(key: string, expiresAt: number, now: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - now));
    let reply: 'OK' | null;
    try {
      reply = await this.#client.set(this.redisKey(key), '1', 'PX', ttl, 'NX');
    } catch (error) {
      throw new ReplayCacheUnavailableError(
        `Redis replay cache failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return reply === 'OK';
  }
}
