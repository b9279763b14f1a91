import { createHash, randomUUID } from 'node:crypto';
import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import { createRedisStores, DEFAULT_CLIENT_OPTIONS } from '@a2a-stores/redis';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import type { SharedBackendHarness } from './inner-harnesses.js';

/**
 * `<prefix>{<tag>}:`, the start of every key of a scope, as the redis README's "How data is laid
 * out" documents it (the package does not export its key helpers). A wrong guess cannot pass
 * quietly: the probe then reads nothing and refuses to corrupt a key that does not exist.
 */
function scopeBase(prefix: string, scope: Scope): string {
  const tag = createHash('sha256')
    .update(JSON.stringify([scope.tenant, scope.owner]))
    .digest('base64url')
    .slice(0, 22);
  return `${prefix}{${tag}}:`;
}

/** Reads and damages the adapter's hashes behind the stores' back. */
function redisProbe(client: Redis, prefix: string): RawProbe {
  const taskKey = (scope: Scope, taskId: string) => `${scopeBase(prefix, scope)}t:${taskId}`;
  const configsKey = (scope: Scope, taskId: string) => `${scopeBase(prefix, scope)}pc:${taskId}`;
  return {
    async corruptTask(scope, taskId) {
      const key = taskKey(scope, taskId);
      if (!(await client.hexists(key, 'b'))) throw new Error(`probe: no task hash at ${key}`);
      await client.hset(key, 'b', '{"not": "a task"');
    },
    async corruptPushConfig(scope, taskId, configId) {
      const key = configsKey(scope, taskId);
      if (!(await client.hexists(key, configId)))
        throw new Error(`probe: no push config ${configId} at ${key}`);
      await client.hset(key, configId, 'garbage');
    },
    async readTaskRaw(scope, taskId) {
      const fields = await client.hgetall(taskKey(scope, taskId));
      const values = Object.values(fields);
      return values.length === 0 ? undefined : values.join('\n');
    },
    async readPushConfigsRaw(scope, taskId) {
      return client.hvals(configsKey(scope, taskId));
    },
  };
}

/** Deletes every key under `prefix` (SCAN is fine in a test's cleanup). */
async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * `@a2a-stores/redis` on the test server (`resolveTestBackend`) with one shared client and a
 * random key prefix of its own: the server is shared, so only that prefix's keys go.
 */
export async function redisHarness(): Promise<SharedBackendHarness> {
  const backend = await resolveTestBackend('redis');
  const client = new Redis(backend.url, { ...DEFAULT_CLIENT_OPTIONS });
  client.on('error', () => {});
  const prefix = `a2a-test:kms:${randomUUID().slice(0, 8)}:`;
  await createRedisStores({ client }, { keyPrefix: prefix }).migrate();
  return {
    harness: {
      name: 'redis',
      // The stores never close a client they were given: the file's client outlives them.
      create: (options) => createRedisStores({ client }, { ...options, keyPrefix: prefix }),
      probe: redisProbe(client, prefix),
    },
    async cleanup() {
      await deleteKeysWithPrefix(client, prefix);
      await client.quit();
      await backend.stop();
    },
  };
}
