import { createHash } from 'node:crypto';
import { InvalidInputError } from './errors.js';
import type { Scope } from './scope.js';

/** The keyset position a page ends at: the last task's sort key and id. */
export interface PageCursor {
  readonly sortKey: number;
  readonly id: string;
}

/** What a token is bound to: a token minted for one scope or filter set is refused by another. */
export interface PageBinding {
  readonly scope: Scope;
  readonly contextId: string;
  readonly state: number;
  readonly after: number | null;
}

const TOKEN_VERSION = 2;
/**
 * Longest token any valid cursor yields: a 255-unit id of control characters escapes to 1530
 * JSON bytes, plus version, sort key and digest, in base64url. Anything longer is not ours.
 */
const MAX_TOKEN_LENGTH = 2400;

/**
 * Digest over the binding and the cursor: a token replayed under another scope or filter set, or
 * altered in transit, no longer matches. Not a secret MAC: the scope is enforced by the query
 * itself, the digest only turns misuse into a clear error instead of a silently wrong page.
 */
function tokenDigest(binding: PageBinding, cursor: PageCursor): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        binding.scope.tenant,
        binding.scope.owner,
        binding.contextId,
        binding.state,
        binding.after,
        cursor.sortKey,
        cursor.id,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
}

/** Mints an opaque page token for the position after `cursor`. */
export function encodePageToken(cursor: PageCursor, binding: PageBinding): string {
  const payload = JSON.stringify([
    TOKEN_VERSION,
    cursor.sortKey,
    cursor.id,
    tokenDigest(binding, cursor),
  ]);
  return Buffer.from(payload, 'utf8').toString('base64url');
}

function malformed(): never {
  throw new InvalidInputError('Invalid page token');
}

/**
 * Reads a page token. Garbage, a token of another version, or one minted for another scope or
 * filter set throws `InvalidInputError` (an SDK `RequestMalformedError`).
 */
export function decodePageToken(token: string, binding: PageBinding): PageCursor {
  if (
    typeof token !== 'string' ||
    token.length > MAX_TOKEN_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(token)
  ) {
    malformed();
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    malformed();
  }
  if (!Array.isArray(value) || value.length !== 4) malformed();
  const [version, sortKey, id, digest] = value as unknown[];
  if (
    version !== TOKEN_VERSION ||
    typeof sortKey !== 'number' ||
    !Number.isSafeInteger(sortKey) ||
    typeof id !== 'string' ||
    id.length === 0 ||
    id.length > 255 ||
    typeof digest !== 'string'
  ) {
    malformed();
  }
  const cursor = { sortKey: sortKey as number, id: id as string };
  if (digest !== tokenDigest(binding, cursor)) {
    throw new InvalidInputError('Page token was altered or issued for another scope or filter set');
  }
  return cursor;
}
