import type { MigrationResult } from '@a2a-stores/core';
import { RedisFormatError, UnsupportedRedisVersionError } from './errors.js';
import { metaKey } from './keys.js';
import type { RedisSession } from './session.js';

/**
 * Storage format of the keys this package writes (see keys.ts). Format 2 added appended
 * segments (`sb:`/`sa:` lists, the `n` and `z` hash fields); format 3 added the recent form of
 * large tasks (the `r` and `h` hash fields), which `list` serves instead of the body for a short
 * history. Each reader reads older keys as they are (no segments, size unknown; no recent form,
 * so the body is read), so moving a prefix to 3 rewrites nothing. The number changes because an
 * older worker's writes would break what this one reads: a format-1 reader reads a segmented
 * task without its segments and its full writes leave them behind; a format-2 writer rewrites
 * or appends to a task without replacing its recent form, which a format-3 `list` would then
 * serve stale. The stamp makes such a worker's `health()` and `migrate()` refuse the prefix.
 */
export const REDIS_FORMAT_VERSION = 3;
/** The formats `migrate()` moves to {@link REDIS_FORMAT_VERSION}: each reads as it is. */
const PREVIOUS_FORMAT_VERSIONS = ['1', '2'] as const;
/** The id `migrate()` reports for the current format. */
export const REDIS_FORMAT_ID = `redis-format-${REDIS_FORMAT_VERSION}`;
/** Oldest server with every command the scripts use (ZRANGE … BYLEX REV / BYSCORE LIMIT). */
export const MIN_REDIS_VERSION = '6.2.0';

/**
 * The format ids the keys under the prefix lack: `[REDIS_FORMAT_ID]` until `migrate()` stamped
 * them. Reads one hash field, so it doubles as the health check's round trip.
 */
export async function pendingRedisFormats(session: RedisSession): Promise<string[]> {
  const format = await session.call((client) =>
    client.hget(metaKey(session.options.keyPrefix), 'format'),
  );
  if (format === null || (PREVIOUS_FORMAT_VERSIONS as readonly string[]).includes(format)) {
    return [REDIS_FORMAT_ID];
  }
  if (format !== String(REDIS_FORMAT_VERSION)) {
    throw new RedisFormatError(format, REDIS_FORMAT_VERSION);
  }
  return [];
}

function versionAtLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function serverVersion(info: string): string {
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? '0';
}

/**
 * KEYS: meta key. ARGV: current format, then the previous formats it may replace. Returns 1 when
 * it stamped.
 */
const STAMP_FORMAT = `local format = redis.call('HGET', KEYS[1], 'format')
if format then
  local previous = false
  for i = 2, #ARGV do
    if format == ARGV[i] then previous = true end
  end
  if not previous then return 0 end
end
redis.call('HSET', KEYS[1], 'format', ARGV[1])
return 1`;

/**
 * Redis has no schema to create. `migrate()` checks that every master runs Redis 6.2 or newer
 * and stamps the storage format under `<prefix>meta` (moving format 1 or 2 to 3, refusing keys
 * of a newer format). It is idempotent, safe from several workers at once (one script), and
 * optional: the stores work without it, but running it at deploy time turns a too-old server
 * into a clear error.
 */
export async function migrateRedis(session: RedisSession): Promise<MigrationResult> {
  await session.ensureDatabase();
  for (const node of await session.masters()) {
    const version = serverVersion(await session.call(() => node.info('server')));
    if (!versionAtLeast(version, MIN_REDIS_VERSION)) {
      throw new UnsupportedRedisVersionError(version, MIN_REDIS_VERSION);
    }
  }
  const key = metaKey(session.options.keyPrefix);
  // Stamps a fresh prefix, or moves an older one (nothing to rewrite, see above); leaves any
  // other stamp for the check below. One script: concurrent workers stamp once.
  const stamped = await session.call((client) =>
    client.eval(STAMP_FORMAT, 1, key, String(REDIS_FORMAT_VERSION), ...PREVIOUS_FORMAT_VERSIONS),
  );
  const format = await session.call((client) => client.hget(key, 'format'));
  if (format !== String(REDIS_FORMAT_VERSION)) {
    throw new RedisFormatError(String(format), REDIS_FORMAT_VERSION);
  }
  if (stamped === 1) await session.awaitReplicas(key);
  return { applied: stamped === 1 ? [REDIS_FORMAT_ID] : [], current: [REDIS_FORMAT_ID] };
}
