import type { RedisClient } from '../options.js';

/**
 * The content of one key in a canonical form: every field, member (with score) or item. Not
 * DUMP: a hash too large for a listpack (a task hash has 11 fields) is a hash table that a mere
 * read may rehash, which reorders DUMP's bytes while no field changed.
 */
export async function contentOf(client: RedisClient, key: string): Promise<string> {
  switch (await client.type(key)) {
    case 'hash':
      return JSON.stringify(Object.entries(await client.hgetall(key)).sort());
    case 'zset':
      return JSON.stringify(await client.zrange(key, 0, -1, 'WITHSCORES'));
    case 'list':
      return JSON.stringify(await client.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify((await client.smembers(key)).sort());
    default:
      return JSON.stringify(await client.get(key));
  }
}

/** Each key with its type, content and expiry instant, in key order: compare two to see a change. */
export async function dumpKeys(
  client: RedisClient,
  keys: readonly string[],
): Promise<Record<string, [string, string, number]>> {
  const dump: Record<string, [string, string, number]> = {};
  for (const key of [...keys].sort()) {
    const [type, value, expiresAt] = await Promise.all([
      client.type(key),
      contentOf(client, key),
      client.pexpiretime(key),
    ]);
    dump[key] = [type, value, expiresAt];
  }
  return dump;
}
