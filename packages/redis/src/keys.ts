import { createHash } from 'node:crypto';
import type { Scope } from '@a2a-stores/core';

/**
 * Key layout. Every key of one scope starts with `<prefix>{<tag>}:`, so Redis Cluster hashes
 * them all to one slot (only the text between the first `{` and the next `}` is hashed) and a
 * single Lua script can touch all of them atomically. The tag is a digest of the JSON array
 * `[tenant, owner]`: injective before hashing, free of braces and separators after, so no tenant
 * or owner string can break out of its tag or land on another scope's keys.
 *
 * Under the scope base:
 * - `t:<taskId>`       hash: v (version), s (state), c (context key part), k (sort key), f
 *                      (1 when terminal), u (write time), b (body), a (artifacts), n (segment
 *                      count), z (stored size, EncodedTask.bytes), l (lineage of the last
 *                      full write, which an append must match), r and h (a large task's
 *                      recent form, EncodedTask.recent: its text and reach, both or neither).
 *                      Hashes written before appends existed lack n, z and l: no segments,
 *                      size unknown, no lineage (core never appends to them); hashes written
 *                      before recent forms existed lack r and h: `list` reads their body.
 * - `sb:<taskId>`, `sa:<taskId>`  lists: bodies and artifacts ('' for none) of the segments
 *                      appended since the last full write, oldest first; the first n items
 *                      count (a full write deletes both). They expire and go with the hash.
 * - `pc:<taskId>`      hash configId -> wire version + config JSON
 * - `po:<taskId>`      list of configIds in registration order
 * - `i:all`, `i:ctx:<c>`, `i:st:<state>`, `i:cs:<state>:<c>`  list indexes (see {@link indexMember})
 * - `upd`              zset taskId by write time (purge)
 * - `exp`, `expm`      zset taskId by expiry time and its index coordinates (retention)
 *
 * Outside any scope: `<prefix>scopes` (set of tags, for cross-scope purge) and `<prefix>meta`;
 * multi-worker coordination keeps leases under `<prefix>{co:<n>}:` (see coordination/lease-keys.ts).
 */

/** Characters of the base64url SHA-256 digest kept in a tag: 132 bits. */
const TAG_LENGTH = 22;

/** The hash tag content of a scope (without braces). */
export function scopeTag(scope: Scope): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.tenant, scope.owner]))
    .digest('base64url')
    .slice(0, TAG_LENGTH);
}

/** `<prefix>{<tag>}:`, the start of every key of the scope (and the script routing key). */
export function scopeBase(prefix: string, tag: string): string {
  return `${prefix}{${tag}}:`;
}

export function taskKey(base: string, taskId: string): string {
  return `${base}t:${taskId}`;
}

/** The bodies of the task's appended segments, oldest first (see the layout above). */
export function segmentBodiesKey(base: string, taskId: string): string {
  return `${base}sb:${taskId}`;
}

/** The artifacts of the task's appended segments, in the order of their bodies. */
export function segmentArtifactsKey(base: string, taskId: string): string {
  return `${base}sa:${taskId}`;
}

export function pushConfigsKey(base: string, taskId: string): string {
  return `${base}pc:${taskId}`;
}

export function pushOrderKey(base: string, taskId: string): string {
  return `${base}po:${taskId}`;
}

/**
 * A key of the scope's slot that is never written, declared by every script beside the scope
 * base (see LuaScript.run). While the slot is being resharded, Redis serves a multi-key command
 * only where all its keys exist; this one exists nowhere, so a script on a migrating slot gets
 * TRYAGAIN (retried by the client) instead of running on a node that holds part of the scope.
 */
export function migrationGuardKey(base: string): string {
  return `${base}~guard`;
}

export function registryKey(prefix: string): string {
  return `${prefix}scopes`;
}

export function metaKey(prefix: string): string {
  return `${prefix}meta`;
}

/**
 * How a context id appears inside keys: its JSON string form, which is injective over all
 * strings and always valid UTF-8 (a raw lone surrogate would be replaced on the wire and two
 * contexts would share an index). `''` (no context) has no index.
 */
export function contextKeyPart(contextId: string): string {
  return contextId === '' ? '' : JSON.stringify(contextId);
}

/**
 * Offset making every safe-integer sort key non-negative. The sum needs 54 bits, past the
 * doubles' exact range, hence BigInt.
 */
const SORT_KEY_OFFSET = 2n ** 53n;
/** Hex digits of an encoded sort key: 56 bits hold every offset value. */
export const SORT_KEY_WIDTH = 14;

/**
 * Fixed-width, order-preserving text of a sort key (epoch ms, or core's missing-timestamp key).
 * Index members are `encodeSortKey(sortKey) + taskId` with score 0: Redis orders equal-score
 * members byte-wise, so member order is exactly (sortKey, id in code-point order), and a keyset
 * cursor is one exclusive lexicographic bound, whatever the number of ties.
 */
export function encodeSortKey(sortKey: number): string {
  if (!Number.isSafeInteger(sortKey))
    throw new RangeError(`sort key ${sortKey} is not a safe integer`);
  return (BigInt(sortKey) + SORT_KEY_OFFSET).toString(16).padStart(SORT_KEY_WIDTH, '0');
}

/** The offset in units of the low half's range: 2^53 / 2^28. */
const SORT_KEY_OFFSET_HIGH = 2 ** 25;
/** The range of the low 7 hex digits. */
const SORT_KEY_LOW_RANGE = 2 ** 28;

/** The value of one lower-case hex digit's char code; -1 for anything else. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Inverse of {@link encodeSortKey}; NaN for text that is not one. Runs on every task read, so
 * it parses without BigInt or a regular expression: two 28-bit halves are exact doubles, the
 * offset comes off the high one (exact), and the one rounding sum is exact for every encoded
 * safe integer.
 */
export function decodeSortKey(encoded: string): number {
  if (encoded.length !== SORT_KEY_WIDTH) return Number.NaN;
  let high = 0;
  let low = 0;
  for (let i = 0; i < SORT_KEY_WIDTH; i++) {
    const digit = hexDigit(encoded.charCodeAt(i));
    if (digit < 0) return Number.NaN;
    if (i < SORT_KEY_WIDTH / 2) high = high * 16 + digit;
    else low = low * 16 + digit;
  }
  return (high - SORT_KEY_OFFSET_HIGH) * SORT_KEY_LOW_RANGE + low;
}

export function indexMember(sortKey: number, taskId: string): string {
  return encodeSortKey(sortKey) + taskId;
}

/** The index (relative to the scope base) that answers a list filter on its own. */
export function listIndexSuffix(contextId: string, state: number): string {
  const context = contextKeyPart(contextId);
  if (context && state) return `i:cs:${state}:${context}`;
  if (context) return `i:ctx:${context}`;
  if (state) return `i:st:${state}`;
  return 'i:all';
}
