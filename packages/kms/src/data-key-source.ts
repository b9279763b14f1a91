import { type CacheLimits, LimitedKeyCache } from './data-key-cache.js';
import type { DataKey, EncryptionContext, Keyring, WrappedDataKey } from './keyring.js';

/** Which sides of the cache are on, and their limits. */
export interface CachePolicy {
  readonly limits: CacheLimits;
  readonly encrypt: boolean;
  readonly decrypt: boolean;
}

/**
 * Decrypt-cache id of a wrapped key read for one record. The record's partition stands for its
 * context (the context is a function of the record) and is cheaper than canonicalizing the
 * context on every read. Length prefixes keep the parts apart without escaping anything.
 */
function readCacheId(partition: string, wrapped: WrappedDataKey): string {
  const key = wrapped.ciphertext;
  const bytes = Buffer.isBuffer(key) ? key : Buffer.from(key);
  const { provider, keyId } = wrapped;
  return `${partition.length}:${partition}${provider.length}:${provider}${keyId.length}:${keyId}${bytes.toString('latin1')}`;
}

/**
 * Data keys for sealing and opening, from the keyring, through the cache when one is configured.
 * Every key it returns is the caller's own copy: the caller zeroes it when done. A `partition`
 * names one record, and the `context` passed with it must be the record's (a function of it).
 */
export class DataKeySource {
  readonly keyring: Keyring;
  readonly #encrypt: LimitedKeyCache<WrappedDataKey> | undefined;
  readonly #decrypt: LimitedKeyCache<undefined> | undefined;

  constructor(keyring: Keyring, cache: CachePolicy | undefined) {
    this.keyring = keyring;
    this.#encrypt = cache?.encrypt ? new LimitedKeyCache(cache.limits) : undefined;
    this.#decrypt = cache?.decrypt ? new LimitedKeyCache(cache.limits) : undefined;
  }

  /**
   * A data key to seal `bytes` plaintext bytes of one record. `partition` names the record: a
   * cached key is only reused for the record (and context) it was generated for.
   */
  async forWrite(partition: string, context: EncryptionContext, bytes: number): Promise<DataKey> {
    const cached = this.#encrypt?.take(partition, bytes);
    if (cached) return { plaintext: cached.key, wrapped: cached.extra };
    const fresh = await this.keyring.generateDataKey(context);
    this.#encrypt?.put(partition, fresh.plaintext, fresh.wrapped, bytes);
    // A record written is often read back soon: its key is already known, no unwrap needed.
    this.#decrypt?.put(readCacheId(partition, fresh.wrapped), fresh.plaintext, undefined, 0);
    return fresh;
  }

  /** The data key inside `wrapped`, to open `bytes` ciphertext bytes of the record `partition`. */
  async forRead(
    partition: string,
    wrapped: WrappedDataKey,
    context: EncryptionContext,
    bytes: number,
  ): Promise<Buffer> {
    const id = this.#decrypt && readCacheId(partition, wrapped);
    const cached = id === undefined ? undefined : this.#decrypt?.take(id, bytes);
    if (cached) return cached.key;
    const plaintext = await this.keyring.unwrapDataKey(wrapped, context);
    if (id !== undefined) this.#decrypt?.put(id, plaintext, undefined, bytes);
    return plaintext;
  }

  /** Zeroes and drops every cached key. */
  wipe(): void {
    this.#encrypt?.clear();
    this.#decrypt?.clear();
  }
}
