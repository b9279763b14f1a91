/**
 * Limits of the data-key cache. A cached key serves at most `maxUses` records and `maxBytes`
 * plaintext bytes, for at most `maxAgeMs`; whichever comes first evicts it, and an evicted key is
 * zeroed at once (its timer fires at `maxAgeMs` even when nobody asks for it again).
 */
export interface DataKeyCacheOptions {
  /** Age after which a cached key is wiped. Default 60 000 ms; at most one day. */
  readonly maxAgeMs?: number;
  /** Records one cached key seals (encrypt side) or opens (decrypt side). Default 1000. */
  readonly maxUses?: number;
  /** Plaintext bytes one cached key seals or opens. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Keys held per side (least recently used evicted first). Default 1000. */
  readonly maxEntries?: number;
  /**
   * Reuse a data key across writes of the same record (default true). With it, "a fresh data
   * key per write" becomes "a fresh data key per cache entry": a key is reused only for the same
   * record (scope, task, config), within the limits above.
   */
  readonly encrypt?: boolean;
  /** Keep unwrapped data keys for reads (default true). */
  readonly decrypt?: boolean;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** {@link DataKeyCacheOptions} with defaults applied and checked. */
export interface CacheLimits {
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly maxBytes: number;
  readonly maxEntries: number;
  readonly now: () => number;
}

const ONE_DAY_MS = 24 * 60 * 60 * 1000;
/** GCM with random 96-bit IVs stays far below its collision bound up to 2^32 messages per key. */
const MAX_USES_BOUND = 2 ** 32;

export function resolveCacheLimits(options: DataKeyCacheOptions): CacheLimits {
  const limits = {
    maxAgeMs: options.maxAgeMs ?? 60_000,
    maxUses: options.maxUses ?? 1000,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    maxEntries: options.maxEntries ?? 1000,
  };
  const bounds: Record<keyof typeof limits, number> = {
    maxAgeMs: ONE_DAY_MS,
    maxUses: MAX_USES_BOUND,
    maxBytes: Number.MAX_SAFE_INTEGER,
    maxEntries: 1_000_000,
  };
  for (const [name, value] of Object.entries(limits) as [keyof typeof limits, number][]) {
    if (!Number.isSafeInteger(value) || value < 1 || value > bounds[name]) {
      throw new TypeError(`cache.${name} must be an integer between 1 and ${bounds[name]}`);
    }
  }
  return { ...limits, now: options.now ?? Date.now };
}

interface Entry<T> {
  readonly key: Buffer;
  readonly extra: T;
  readonly createdAt: number;
  uses: number;
  bytes: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * Plaintext keys with use, byte and age limits. It hands out copies (the caller zeroes its own),
 * so evicting an entry can zero the cached bytes at once without touching a key in use.
 */
export class LimitedKeyCache<T> {
  readonly #limits: CacheLimits;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(limits: CacheLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * A copy of the key cached under `id`, counting one use of `bytes`; undefined when the key is
   * missing or `belongs` refuses its entry, undefined (and the entry wiped) when this use would
   * exceed a limit.
   */
  take(
    id: string,
    bytes: number,
    belongs?: (extra: T) => boolean,
  ): { key: Buffer; extra: T } | undefined {
    const entry = this.#entries.get(id);
    // An entry that is not the caller's is left as it is: it still serves its own owner.
    if (!entry || (belongs && !belongs(entry.extra))) return undefined;
    const limits = this.#limits;
    if (
      limits.now() - entry.createdAt >= limits.maxAgeMs ||
      entry.uses + 1 > limits.maxUses ||
      entry.bytes + bytes > limits.maxBytes
    ) {
      this.#evict(id, entry);
      return undefined;
    }
    entry.uses += 1;
    entry.bytes += bytes;
    // Re-inserting keeps the map in least-recently-used order.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return { key: Buffer.from(entry.key), extra: entry.extra };
  }

  /** Caches a copy of `key` that has already served one use of `bytes`. */
  put(id: string, key: Buffer, extra: T, bytes: number): void {
    const limits = this.#limits;
    // A key that is already at a limit after its first use would never be served again.
    if (limits.maxUses <= 1 || bytes >= limits.maxBytes) return;
    const existing = this.#entries.get(id);
    if (existing) this.#evict(id, existing);
    while (this.#entries.size >= limits.maxEntries) {
      const [oldestId, oldest] = this.#entries.entries().next().value as [string, Entry<T>];
      this.#evict(oldestId, oldest);
    }
    const copy = Buffer.alloc(key.length);
    key.copy(copy);
    const timer = setTimeout(() => {
      const current = this.#entries.get(id);
      if (current?.key === copy) this.#evict(id, current);
    }, limits.maxAgeMs);
    timer.unref();
    this.#entries.set(id, {
      key: copy,
      extra,
      createdAt: limits.now(),
      uses: 1,
      bytes,
      timer,
    });
  }

  /** Zeroes and drops every key. */
  clear(): void {
    for (const [id, entry] of [...this.#entries]) this.#evict(id, entry);
  }

  #evict(id: string, entry: Entry<T>): void {
    clearTimeout(entry.timer);
    entry.key.fill(0);
    this.#entries.delete(id);
  }
}
