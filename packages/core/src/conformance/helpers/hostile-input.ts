import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { type Scope, ScopeResolutionError } from '@a2a-stores/core';
import fc from 'fast-check';
import { stretch, textArb } from './arbitraries.js';

/** Strings that have broken key builders, escapers and SQL elsewhere. */
const HOSTILE_FRAGMENTS = [
  '',
  ' ',
  "'",
  "''",
  "' OR '1'='1",
  "'; DROP TABLE tasks; --",
  '--',
  '/*',
  '%',
  '_',
  '%_%',
  '\\',
  "\\'",
  '\\%',
  '"',
  '`',
  ';',
  ':',
  '::',
  '|',
  '/',
  '../',
  '{',
  '}',
  '{}',
  '}{',
  '{tag}',
  '*',
  '?',
  '[a-z]',
  '$',
  '$' + '{x}',
  'NULL',
  'null',
  '[]',
  '\u0000',
  '\u0000\u0000',
  '\ud800',
  '\udc00',
  '\ud83d',
  '\u2028',
  '\ufeff',
  '\u0085',
  'İ',
  'ı',
  'ß',
  'ﬀ',
  'K',
  'e\u0301',
  'é',
  '😀',
  '👩‍👩‍👧',
];

/**
 * A hostile string: separators, hash-tag braces, SQL metacharacters, NUL, lone surrogates,
 * unicode lookalikes, empty, or long (up to and past 255 code units).
 */
export function hostileStringArb(): fc.Arbitrary<string> {
  const fragment = fc.constantFrom(...HOSTILE_FRAGMENTS);
  const short = fc
    .array(fc.oneof({ weight: 3, arbitrary: fragment }, { weight: 1, arbitrary: textArb(4) }), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => parts.join(''));
  const long = fc
    .tuple(short, fc.integer({ min: 240, max: 300 }), fc.boolean())
    .map(([seed, length, raw]) =>
      // Half of them cut through whatever was there, lone surrogate halves included.
      raw
        ? seed.repeat(Math.ceil(length / Math.max(seed.length, 1))).slice(0, length)
        : stretch(seed, length),
    );
  return fc.oneof(
    { weight: 2, arbitrary: fragment },
    { weight: 5, arbitrary: short },
    { weight: 1, arbitrary: long },
  );
}

/** A tenant and owner made of hostile strings (the caller adds a nonce to keep runs apart). */
export function hostileScopeArb(): fc.Arbitrary<{
  readonly tenant: string;
  readonly owner: string;
}> {
  return fc.record({ tenant: hostileStringArb(), owner: hostileStringArb() });
}

/** Separators a naive key builder joins tenant and owner with. */
const JOIN_SEPARATORS = ['', ':', '|', '/', '\u0000', ' ', '-', '_', '.', '#', '}{', '\\'];

function swapCase(value: string): string {
  return [...value]
    .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
    .join('');
}

/**
 * Scopes "near" `scope`: case, normalization, a character more or less, the tenant/owner
 * boundary moved, escaping and hash-tag spellings. None of them may ever see `scope`'s data.
 * Variants equal to `scope` are left out.
 */
export function nearScopes(scope: Scope): { readonly label: string; readonly scope: Scope }[] {
  const { tenant: t, owner: o } = scope;
  const backslashed = (s: string) => s.replace(/[\\:{}|%_']/g, (c) => `\\${c}`);
  const candidates: [string, Scope][] = [
    ['tenant upper', { tenant: t.toUpperCase(), owner: o }],
    ['tenant swapped case', { tenant: swapCase(t), owner: o }],
    ['owner swapped case', { tenant: t, owner: swapCase(o) }],
    ['tenant NFD', { tenant: t.normalize('NFD'), owner: o }],
    ['tenant NFKC', { tenant: t.normalize('NFKC'), owner: o }],
    ['tenant + space', { tenant: `${t} `, owner: o }],
    ['owner + space', { tenant: t, owner: `${o} ` }],
    ['tenant minus last', { tenant: t.slice(0, -1), owner: o }],
    ['owner minus first', { tenant: t, owner: o.slice(1) }],
    ['tenant + x', { tenant: `${t}x`, owner: o }],
    ['x + owner', { tenant: t, owner: `x${o}` }],
    ['swapped', { tenant: o, owner: t }],
    ['boundary: first owner char to tenant', { tenant: t + o.slice(0, 1), owner: o.slice(1) }],
    ['boundary: last tenant char to owner', { tenant: t.slice(0, -1), owner: t.slice(-1) + o }],
    ['boundary: joined with colon', { tenant: `${t}:${o}`, owner: '' }],
    ['boundary: joined with bar', { tenant: t, owner: `|${o}` }],
    ['boundary: joined with NUL', { tenant: `${t}\u0000${o}`, owner: 'x' }],
    ['escaped', { tenant: backslashed(t), owner: backslashed(o) }],
    ['hash tag', { tenant: `{${t}}`, owner: o }],
    ['json escaped', { tenant: JSON.stringify(t).slice(1, -1), owner: o }],
    ['percent encoded', { tenant: encodeURIComponent(t), owner: o }],
  ];
  // Scopes whose tenant and owner joined with a separator spell the same key as this one's.
  for (const sep of JOIN_SEPARATORS) {
    const inOwner = sep === '' ? 1 : o.indexOf(sep);
    if (inOwner >= 0 && inOwner <= o.length) {
      candidates.push([
        `same key joined by ${JSON.stringify(sep)} (owner split)`,
        { tenant: t + sep + o.slice(0, inOwner), owner: o.slice(inOwner + sep.length) },
      ]);
    }
    const inTenant = sep === '' ? t.length - 1 : t.lastIndexOf(sep);
    if (inTenant >= 0) {
      candidates.push([
        `same key joined by ${JSON.stringify(sep)} (tenant split)`,
        { tenant: t.slice(0, inTenant), owner: t.slice(inTenant + sep.length) + sep + o },
      ]);
    }
  }
  const seen = new Set<string>([JSON.stringify([t, o])]);
  const result: { label: string; scope: Scope }[] = [];
  for (const [label, variant] of candidates) {
    const key = JSON.stringify([variant.tenant, variant.owner]);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ label, scope: variant });
  }
  return result;
}

/** How a page token is forged from a real one (applied once the real token exists). */
export type TokenRecipe =
  | { readonly kind: 'garbage'; readonly value: string }
  | { readonly kind: 'base64url-json'; readonly value: unknown }
  | {
      readonly kind: 'forged-cursor';
      readonly sortKey: number;
      readonly id: string;
      readonly digest: string;
    }
  | { readonly kind: 'flip'; readonly at: number; readonly replacement: string }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'append'; readonly suffix: string }
  | { readonly kind: 'foreign' };

const TOKEN_VERSION_GUESSES = [2, 1, 3, 0, -1, '2', null];

/** Page tokens that are not a real token of this scope and filter set (most of them). */
export function tokenRecipeArb(): fc.Arbitrary<TokenRecipe> {
  const base64urlChar = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.'.split(''),
  );
  return fc.oneof(
    hostileStringArb().map((value) => ({ kind: 'garbage' as const, value })),
    fc
      .tuple(fc.constantFrom(...TOKEN_VERSION_GUESSES), fc.anything({ maxDepth: 2 }))
      .map(([version, rest]) => ({ kind: 'base64url-json' as const, value: [version, rest] })),
    fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'base64url-json' as const, value })),
    fc
      .record({
        sortKey: fc.oneof(
          fc.integer(),
          fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
        ),
        id: hostileStringArb(),
        digest: fc.string({ maxLength: 20 }),
      })
      .map((r) => ({ kind: 'forged-cursor' as const, ...r })),
    fc
      .record({ at: fc.nat(), replacement: base64urlChar })
      .map((r) => ({ kind: 'flip' as const, ...r })),
    fc.nat().map((keep) => ({ kind: 'truncate' as const, keep })),
    fc
      .string({ unit: base64urlChar, minLength: 1, maxLength: 8 })
      .map((suffix) => ({ kind: 'append' as const, suffix })),
    fc.constant({ kind: 'foreign' as const }),
  );
}

/** The token a recipe makes from `real` (a genuine page-two token) and `foreign` (another scope's). */
export function forgeToken(recipe: TokenRecipe, real: string, foreign: string): string {
  const encode = (value: unknown) =>
    Buffer.from(JSON.stringify(value) ?? 'undefined', 'utf8').toString('base64url');
  switch (recipe.kind) {
    case 'garbage':
      return recipe.value;
    case 'base64url-json':
      return encode(recipe.value);
    case 'forged-cursor':
      return encode([2, recipe.sortKey, recipe.id, recipe.digest]);
    case 'flip': {
      const at = recipe.at % real.length;
      return real.slice(0, at) + recipe.replacement + real.slice(at + 1);
    }
    case 'truncate':
      return real.slice(0, recipe.keep % real.length);
    case 'append':
      return real + recipe.suffix;
    case 'foreign':
      return foreign;
  }
}

/**
 * True for the errors bad input may produce: the SDK's `RequestMalformedError` (core's
 * `InvalidInputError` family) and `ScopeResolutionError`. Anything else (a raw driver error, a
 * `TypeError`, `StoreUnavailableError` for what is not an outage) is a bug.
 */
export function isInputError(error: unknown): boolean {
  return error instanceof RequestMalformedError || error instanceof ScopeResolutionError;
}

/** What a call under hostile input did. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs a call that may refuse hostile input. A refusal must be an input error
 * ({@link isInputError}); any other error fails the property with what was called.
 */
export async function refusedOrDone<T>(what: string, call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (isInputError(error)) return { ok: false, error };
    const name =
      error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    throw new Error(`${what} threw ${name}, not an input error`, { cause: error });
  }
}
