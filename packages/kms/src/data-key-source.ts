import { countTelemetry } from '@a2a-stores/core';
import { type CacheLimits, LimitedKeyCache } from './data-key-cache.js';
import { envelopeHead } from './envelope-format.js';
import type { EncryptionContext, Keyring, WrappedDataKey } from './keyring.js';
import { keyringCall } from './keyring-telemetry.js';

/** Which sides of the cache are on, and their limits. */
export interface CachePolicy {
  readonly limits: CacheLimits;
  readonly encrypt: boolean;
  readonly decrypt: boolean;
}

/**
 * A data key to seal with: the plaintext (the caller's own copy, zeroed by the caller), its
 * wrapped form, and the envelope head that names it ({@link envelopeHead}), encoded once per key
 * rather than once per write. The head is not secret: every envelope carries it.
 */
export interface WriteKey {
  readonly plaintext: Buffer;
  readonly wrapped: WrappedDataKey;
  readonly head: Buffer;
}

type CachedWrite = Omit<WriteKey, 'plaintext'>;

type CacheSide = 'encrypt' | 'decrypt';
const HIT = {
  encrypt: cacheAttributes('encrypt', 'hit'),
  decrypt: cacheAttributes('decrypt', 'hit'),
};
const MISS = {
  encrypt: cacheAttributes('encrypt', 'miss'),
  decrypt: cacheAttributes('decrypt', 'miss'),
};
function cacheAttributes(side: CacheSide, result: 'hit' | 'miss') {
  return { 'a2a_stores.kms.cache.side': side, 'a2a_stores.kms.cache.result': result };
}

/**
 * Decrypt-cache id of a wrapped key: which master key wraps it, and its bytes. Length prefixes
 * keep the parts apart without escaping anything. The record it was read for is kept in the
 * entry and compared on every hit (it stands for the record's context: the context is a function
 * of the record), which is cheaper than hashing it into the id on every read.
 */
function readCacheId(wrapped: WrappedDataKey): string {
  const key = wrapped.ciphertext;
  const bytes = Buffer.isBuffer(key) ? key : Buffer.from(key);
  const { provider, keyId } = wrapped;
  return `${provider.length}:${provider}${keyId.length}:${keyId}${bytes.toString('latin1')}`;
}

/**
 * Data keys for sealing and opening, from the keyring, through the cache when one is configured.
 * Every key it returns is the caller's own copy: the caller zeroes it when done. A `partition`
 * names one record, and the `context` passed with it must be the record's (a function of it).
 *
 * The `cached*` methods are the synchronous cache-hit path: they never call the keyring, so a
 * hot read or write needs no promise; on undefined the caller falls back to the async methods.
 */
export class DataKeySource {
  readonly keyring: Keyring;
  readonly #encrypt: LimitedKeyCache<CachedWrite> | undefined;
  readonly #decrypt: LimitedKeyCache<string> | undefined;

  constructor(keyring: Keyring, cache: CachePolicy | undefined) {
    this.keyring = keyring;
    this.#encrypt = cache?.encrypt ? new LimitedKeyCache(cache.limits) : undefined;
    this.#decrypt = cache?.decrypt ? new LimitedKeyCache(cache.limits) : undefined;
  }

  /** True when reads may hit the cache (worth trying {@link cachedForRead} first). */
  get cachesReads(): boolean {
    return this.#decrypt !== undefined;
  }

  /** True when writes may hit the cache (worth trying {@link cachedForWrite} first). */
  get cachesWrites(): boolean {
    return this.#encrypt !== undefined;
  }

  /** The cached data key of the record `partition` for sealing `bytes`, counting the use. */
  cachedForWrite(partition: string, bytes: number): WriteKey | undefined {
    const cached = this.#encrypt?.take(partition, bytes);
    // Misses are counted by `forWrite`, which every caller falls back to: one lookup, one count.
    if (cached) countTelemetry('dataKeyCacheLookups', 1, HIT.encrypt);
    return (
      cached && { plaintext: cached.key, wrapped: cached.extra.wrapped, head: cached.extra.head }
    );
  }

  /**
   * A data key to seal `bytes` plaintext bytes of one record. `partition` names the record: a
   * cached key is only reused for the record (and context) it was generated for. `version`: the
   * format the envelope head names (the partition names it too, so a cached head is always right).
   */
  async forWrite(
    partition: string,
    context: () => EncryptionContext,
    bytes: number,
    version?: number,
  ): Promise<WriteKey> {
    const cached = this.cachedForWrite(partition, bytes);
    if (cached) return cached;
    if (this.#encrypt) countTelemetry('dataKeyCacheLookups', 1, MISS.encrypt);
    const fresh = await keyringCall('generate_data_key', () =>
      this.keyring.generateDataKey(context()),
    );
    let head: Buffer;
    try {
      head = envelopeHead(fresh.wrapped, version);
    } catch (error) {
      fresh.plaintext.fill(0);
      throw error;
    }
    this.#encrypt?.put(partition, fresh.plaintext, { wrapped: fresh.wrapped, head }, bytes);
    // A record written is often read back soon: its key is already known, no unwrap needed.
    this.#decrypt?.put(readCacheId(fresh.wrapped), fresh.plaintext, partition, 0);
    return { plaintext: fresh.plaintext, wrapped: fresh.wrapped, head };
  }

  /** The cached data key inside `wrapped` for opening `bytes` bytes of `partition`, if any. */
  cachedForRead(partition: string, wrapped: WrappedDataKey, bytes: number): Buffer | undefined {
    const key = this.#decrypt?.take(
      readCacheId(wrapped),
      bytes,
      (owner) => owner === partition,
    )?.key;
    if (key) countTelemetry('dataKeyCacheLookups', 1, HIT.decrypt);
    return key;
  }

  /** The data key inside `wrapped`, to open `bytes` ciphertext bytes of the record `partition`. */
  async forRead(
    partition: string,
    wrapped: WrappedDataKey,
    context: () => EncryptionContext,
    bytes: number,
  ): Promise<Buffer> {
    const cached = this.cachedForRead(partition, wrapped, bytes);
    if (cached) return cached;
    if (this.#decrypt) countTelemetry('dataKeyCacheLookups', 1, MISS.decrypt);
    const plaintext = await keyringCall('unwrap_data_key', () =>
      this.keyring.unwrapDataKey(wrapped, context()),
    );
    this.#decrypt?.put(readCacheId(wrapped), plaintext, partition, bytes);
    return plaintext;
  }

  /** Zeroes and drops every cached key. */
  wipe(): void {
    this.#encrypt?.clear();
    this.#decrypt?.clear();
  }
}
