import { ReplayCacheUnavailableError } from '../errors.js';

/**
 * Remembers which passport nonces were already used. Verification asks it only after the
 * signature, audience and times check out, so only genuine passports ever take space.
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAt` (epoch ms). Resolves `true` when the key was not seen before
   * (first use), `false` when it was (a replay). Throws `ReplayCacheUnavailableError` when it
   * cannot tell; verification then fails closed.
   */
  checkAndStore(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Most nonces remembered at once. Default 100 000. */
  readonly maxEntries?: number;
}

/**
 * In-process replay cache: a map from key to expiry, bounded. Expired entries are dropped when
 * the map fills up; when every entry is still live it refuses new ones (fails closed) rather than
 * forget a nonce that could then be replayed. One process only: several workers need a shared
 * cache such as {@link RedisReplayCache}.
 *
 * @example
 * ```ts
 * import { MemoryReplayCache } from '@a2a-stores/passport';
 * const replayCache = new MemoryReplayCache({ maxEntries: 50_000 });
 * ```
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  /** Live and not-yet-swept entries; for monitoring. */
  get size(): number {
    return this.#entries.size;
  }

  async checkAndStore(key: string, expiresAt: number, now: number): Promise<boolean> {
    const seenUntil = this.#entries.get(key);
    if (seenUntil !== undefined) {
      if (seenUntil > now) return false;
      this.#entries.delete(key);
    }
    if (this.#entries.size >= this.#maxEntries) {
      this.#sweep(now);
      if (this.#entries.size >= this.#maxEntries) {
        throw new ReplayCacheUnavailableError('memory replay cache is full of live nonces');
      }
    }
    this.#entries.set(key, expiresAt);
    return true;
  }

  /** Drops expired entries. O(n), run only when the cache is full, so amortized per insert. */
  #sweep(now: number): void {
    for (const [key, expiresAt] of this.#entries) {
      if (expiresAt <= now) this.#entries.delete(key);
    }
  }
}
