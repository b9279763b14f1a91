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

  constructor(
    private readonly keyPrefix: string,
    private readonly capacity = SCOPE_KEYS_CACHE_SIZE,
  ) {}

  of(scope: Scope): ScopeKeys {
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
