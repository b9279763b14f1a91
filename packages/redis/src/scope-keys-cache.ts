import type { Scope } from '@a2a-stores/core';
import { scopeBase, scopeTag } from './keys.js';

/** Scopes whose key base a store keeps: a few KB, far more than the scopes active at once. */
export const SCOPE_KEYS_CACHE_SIZE = 1024;

/** Where a scope's keys live: its hash tag and `<prefix>{<tag>}:`. */
export interface ScopeKeys {
  readonly tag: string;
  readonly base: string;
}

/**
 * The key base of each scope, hashed once and then reused: every call needs it, and the SHA-256
 * behind the tag costs more than the rest of building a key. Least recently used scopes leave
 * first, so memory stays bounded however many scopes a process serves.
 */
export class ScopeKeysCache {
  private readonly entries = new Map<string, ScopeKeys>();
  /**
   * The scope of the previous call and its keys. Consecutive calls of one scope are the common
   * case (one request makes several; a single-tenant agent only ever has one), and comparing two
   * strings costs far less than building and hashing the entry id. The last scope served is
   * always the most recent entry of `entries`, so answering it here leaves the LRU order exact.
   */
  private lastTenant: string | undefined;
  private lastOwner: string | undefined;
  private lastKeys: ScopeKeys | undefined;

  constructor(
    private readonly keyPrefix: string,
    private readonly capacity = SCOPE_KEYS_CACHE_SIZE,
  ) {}

  of(scope: Scope): ScopeKeys {
    const { tenant, owner } = scope;
    if (this.lastKeys !== undefined && tenant === this.lastTenant && owner === this.lastOwner) {
      return this.lastKeys;
    }
    const keys = this.lookup(scope);
    this.lastTenant = tenant;
    this.lastOwner = owner;
    this.lastKeys = keys;
    return keys;
  }

  private lookup(scope: Scope): ScopeKeys {
    // Length-prefixed, so no two (tenant, owner) pairs share an entry.
    const id = `${scope.tenant.length}:${scope.tenant}${scope.owner}`;
    let keys = this.entries.get(id);
    if (keys) {
      // Re-inserting moves the entry to the end of the Map's order: the most recently used.
      this.entries.delete(id);
    } else {
      const tag = scopeTag(scope);
      keys = { tag, base: scopeBase(this.keyPrefix, tag) };
      if (this.entries.size >= this.capacity) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
    }
    this.entries.set(id, keys);
    return keys;
  }

  /** Scopes currently cached (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }
}
