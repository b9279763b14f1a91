import { describe, expect, it } from 'vitest';
import { scopeBase, scopeTag } from '../src/keys.js';
import { ScopeKeysCache } from '../src/scope-keys-cache.js';

describe('ScopeKeysCache', () => {
  it('gives the same tag and base as hashing the scope directly', () => {
    const cache = new ScopeKeysCache('p:');
    for (const scope of [
      { tenant: '', owner: '' },
      { tenant: 't', owner: 'o' },
      { tenant: '{x}', owner: 'é\u{1F600}' },
    ]) {
      const tag = scopeTag(scope);
      expect(cache.of(scope)).toEqual({ tag, base: scopeBase('p:', tag) });
      // The second call is served from the cache and must agree.
      expect(cache.of(scope)).toEqual({ tag, base: scopeBase('p:', tag) });
    }
  });

  it('keeps pairs apart whose concatenations are equal', () => {
    const cache = new ScopeKeysCache('p:');
    const pairs = [
      { tenant: 'ab', owner: 'c' },
      { tenant: 'a', owner: 'bc' },
      { tenant: '', owner: 'abc' },
      { tenant: '1:a', owner: 'bc' },
      { tenant: '1', owner: ':abc' },
    ];
    const bases = pairs.map((scope) => cache.of(scope).base);
    expect(new Set(bases).size).toBe(pairs.length);
    pairs.forEach((scope, i) => {
      expect(bases[i]).toBe(scopeBase('p:', scopeTag(scope)));
    });
  });

  it('stays within its capacity, evicting the least recently used scope', () => {
    const cache = new ScopeKeysCache('p:', 2);
    const a = { tenant: 'a', owner: '' };
    const b = { tenant: 'b', owner: '' };
    const c = { tenant: 'c', owner: '' };
    const first = cache.of(a);
    cache.of(b);
    expect(cache.of(a)).toBe(first); // a is now the most recent
    cache.of(c); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.of(a)).toBe(first);
    const bAgain = cache.of(b); // recomputed, evicts c
    expect(bAgain).toEqual({ tag: scopeTag(b), base: scopeBase('p:', scopeTag(b)) });
    expect(cache.size).toBe(2);
  });

  it('answers a repeat of the last scope without disturbing the LRU order', () => {
    const cache = new ScopeKeysCache('p:', 2);
    const a = { tenant: 'a', owner: 'x' };
    const b = { tenant: 'b', owner: 'x' };
    const c = { tenant: 'c', owner: 'x' };
    const first = cache.of(a);
    // Equal strings in other objects are the same scope.
    expect(cache.of({ tenant: `${'a'}`, owner: ['x'].join('') })).toBe(first);
    cache.of(b);
    cache.of(b);
    cache.of(b); // b stays the most recent, a the least
    cache.of(c); // evicts a
    expect(cache.size).toBe(2);
    const bKeys = cache.of(b);
    expect(bKeys).toEqual({ tag: scopeTag(b), base: scopeBase('p:', scopeTag(b)) });
    const aAgain = cache.of(a); // recomputed: evicts c, the least recent now
    expect(aAgain).not.toBe(first);
    expect(aAgain).toEqual(first);
    expect(cache.of(b)).toBe(bKeys);
  });

  it('never serves the last scope for a pair that only shares its tenant or its owner', () => {
    const cache = new ScopeKeysCache('p:');
    const scopes = [
      { tenant: 't', owner: 'o' },
      { tenant: 't', owner: 'p' },
      { tenant: 'u', owner: 'p' },
      { tenant: 'u', owner: 'o' },
      { tenant: 't', owner: 'o' },
    ];
    for (const scope of scopes) {
      expect(cache.of(scope).base).toBe(scopeBase('p:', scopeTag(scope)));
    }
  });
});
