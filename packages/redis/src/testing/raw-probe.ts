import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import { pushConfigsKey, pushOrderKey, scopeBase, scopeTag, taskKey } from '../keys.js';
import { type RedisClient, type RedisStoreOptions, resolveRedisOptions } from '../options.js';

/** Where {@link redisRawProbe} looks: the `keyPrefix` the stores were created with. */
export type RedisRawProbeOptions = Pick<RedisStoreOptions, 'keyPrefix'>;

/**
 * Overwrites one field of a hash only when it exists, in one step: 1 when it did, else 0 (a
 * plain HSET would create the key, and the test would pass on a record the stores never wrote).
 */
const OVERWRITE_EXISTING_FIELD = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

/**
 * Reads and damages the stores' hashes behind their back, to prove what was really persisted
 * (e.g. that a wrapper left no plaintext secret in Redis) and how the stores react to a record
 * they cannot decode. For tests only: it bypasses every check the stores make. Works on a
 * single server and on a Redis Cluster (every key it touches is in the scope's slot).
 *
 * - `corruptTask` overwrites the task body, `corruptPushConfig` one stored config, so they no
 *   longer decode; each throws unless that exact field existed and was overwritten.
 * - `readTaskRaw` returns every field of the task hash as `<field>=<value>` lines, sorted by
 *   field (undefined when there is no task); `readPushConfigsRaw` each stored config
 *   (`<wire version as JSON>\n<json>`) in registration order.
 *
 * The keys come from the package's own layout (see "How data is laid out" in the README), so
 * pass the same `keyPrefix` as the stores.
 *
 * @example
 * ```ts
 * import { createRedisStores } from '@a2a-stores/redis';
 * import { redisRawProbe } from '@a2a-stores/redis/testing';
 * import { Redis } from 'ioredis';
 *
 * const client = new Redis('redis://127.0.0.1:6379');
 * const stores = createRedisStores({ client }, { keyPrefix: 'agent-test:' });
 * const probe = redisRawProbe(client, { keyPrefix: 'agent-test:' });
 * const stored = await probe.readTaskRaw({ tenant: 'acme', owner: 'alice' }, 'task-1');
 * ```
 */
export function redisRawProbe(
  client: RedisClient,
  options: RedisRawProbeOptions = {},
): Required<RawProbe> {
  const { keyPrefix } = resolveRedisOptions({ keyPrefix: options.keyPrefix });
  const baseOf = (scope: Scope) => scopeBase(keyPrefix, scopeTag(scope));

  async function overwrite(key: string, field: string, value: string, what: string) {
    const changed = await client.eval(OVERWRITE_EXISTING_FIELD, 1, key, field, value);
    if (changed !== 1)
      throw new Error(`probe: expected to change one ${what}, found none at ${key}`);
  }

  return {
    async corruptTask(scope: Scope, taskId: string) {
      await overwrite(taskKey(baseOf(scope), taskId), 'b', '{"not": "a task"', 'task body');
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      const key = pushConfigsKey(baseOf(scope), taskId);
      await overwrite(key, configId, 'garbage', `push config ${JSON.stringify(configId)}`);
    },
    async readTaskRaw(scope: Scope, taskId: string) {
      const fields = Object.entries(await client.hgetall(taskKey(baseOf(scope), taskId)));
      if (fields.length === 0) return undefined;
      fields.sort(([a], [b]) => (a < b ? -1 : 1));
      return fields.map(([field, value]) => `${field}=${value}`).join('\n');
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      const base = baseOf(scope);
      // One transaction, so the configs and their order are one snapshot (one slot: cluster-safe).
      const replies = await client
        .multi()
        .hgetall(pushConfigsKey(base, taskId))
        .lrange(pushOrderKey(base, taskId), 0, -1)
        .exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error('probe: transaction aborted');
      const configs = replies[0]![1] as Record<string, string>;
      const order = replies[1]![1] as string[];
      // Listed in the order first, then any config the order lacks: a probe shows all it finds.
      const ids = [...new Set([...order, ...Object.keys(configs)])];
      return ids.filter((id) => Object.hasOwn(configs, id)).map((id) => configs[id]!);
    },
  };
}
