import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import type { ChainableCommander } from 'ioredis';
import {
  pushConfigsKey,
  pushOrderKey,
  scopeBase,
  scopeTag,
  segmentArtifactsKey,
  segmentBodiesKey,
  taskKey,
} from '../keys.js';
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

/** The replies of a MULTI, in order; throws the first error (or the abort). */
async function snapshot<T extends unknown[]>(transaction: ChainableCommander): Promise<T> {
  const replies = await transaction.exec();
  const failed = replies?.find(([error]) => error);
  if (!replies || failed) throw failed?.[0] ?? new Error('probe: transaction aborted');
  return replies.map(([, reply]) => reply) as T;
}

/**
 * Reads and damages the stores' hashes behind their back, to prove what was really persisted
 * (e.g. that a wrapper left no plaintext secret in Redis) and how the stores react to a record
 * they cannot decode. For tests only: it bypasses every check the stores make. Works on a
 * single server and on a Redis Cluster (every key it touches is in the scope's slot).
 *
 * - `corruptTask` overwrites the task body, `corruptPushConfig` one stored config, so they no
 *   longer decode; each throws unless that exact field existed and was overwritten.
 * - `readTaskRaw` returns every field of the task hash as `<field>=<value>` lines, sorted by
 *   field (undefined when there is no task), then its appended segments as `sb.<n>=<body>` and
 *   `sa.<n>=<artifacts>` lines; `readPushConfigsRaw` each stored config
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
      const base = baseOf(scope);
      // One transaction: the hash and its segment lists as one snapshot (one slot: cluster-safe).
      const [hash, bodies, artifacts] = await snapshot<
        [Record<string, string>, string[], string[]]
      >(
        client
          .multi()
          .hgetall(taskKey(base, taskId))
          .lrange(segmentBodiesKey(base, taskId), 0, -1)
          .lrange(segmentArtifactsKey(base, taskId), 0, -1),
      );
      const fields = Object.entries(hash);
      if (fields.length === 0) return undefined;
      fields.sort(([a], [b]) => (a < b ? -1 : 1));
      // Then the appended segments, oldest first: everything stored for the task.
      return [
        ...fields.map(([field, value]) => `${field}=${value}`),
        ...bodies.map((body, i) => `sb.${i + 1}=${body}`),
        ...artifacts.map((artifact, i) => `sa.${i + 1}=${artifact}`),
      ].join('\n');
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      const base = baseOf(scope);
      // One transaction, so the configs and their order are one snapshot (one slot: cluster-safe).
      const [configs, order] = await snapshot<[Record<string, string>, string[]]>(
        client
          .multi()
          .hgetall(pushConfigsKey(base, taskId))
          .lrange(pushOrderKey(base, taskId), 0, -1),
      );
      // Listed in the order first, then any config the order lacks: a probe shows all it finds.
      const ids = [...new Set([...order, ...Object.keys(configs)])];
      return ids.filter((id) => Object.hasOwn(configs, id)).map((id) => configs[id]!);
    },
  };
}
