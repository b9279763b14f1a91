import { randomUUID } from 'node:crypto';
import type { CoreStoreOptions, Scope } from '@a2a-stores/core';
import type { RawProbe, StoreHarness } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { type Cluster, Redis } from 'ioredis';
import {
  createRedisStores,
  DEFAULT_CLIENT_OPTIONS,
  type RedisClient,
  type RedisStoreOptions,
} from '../src/index.js';
import { pushConfigsKey, scopeBase, scopeTag, taskKey } from '../src/keys.js';

/** A key prefix of its own for each test file, so files never see each other's keys. */
export function testPrefix(label: string): string {
  return `a2a-test:${label}:${randomUUID().slice(0, 8)}:`;
}

/** A client for the shared test Redis (env URL, local service, or container; never a skip). */
export async function connectTestRedis(): Promise<Redis> {
  const backend = await resolveTestBackend('redis');
  const client = new Redis(backend.url, { ...DEFAULT_CLIENT_OPTIONS });
  client.on('error', () => {});
  return client;
}

/** Every key under `prefix`, from every master (SCAN is fine in tests, never on a hot path). */
export async function keysWithPrefix(client: RedisClient, prefix: string): Promise<string[]> {
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}

/** Deletes what a test file wrote (one key per DEL, so it works across cluster slots). */
export async function deleteKeysWithPrefix(client: RedisClient, prefix: string): Promise<number> {
  const keys = await keysWithPrefix(client, prefix);
  for (const key of keys) await client.unlink(key);
  return keys.length;
}

export function baseOf(prefix: string, scope: Scope): string {
  return scopeBase(prefix, scopeTag(scope));
}

/** Reads and damages stored records behind the stores' back, for the suite's probe tests. */
export function redisProbe(client: RedisClient, prefix: string): RawProbe {
  return {
    async corruptTask(scope, taskId) {
      await client.hset(taskKey(baseOf(prefix, scope), taskId), 'b', '{"not": "a task"');
    },
    async corruptPushConfig(scope, taskId, configId) {
      await client.hset(pushConfigsKey(baseOf(prefix, scope), taskId), configId, 'garbage');
    },
    async readTaskRaw(scope, taskId) {
      const fields = await client.hgetall(taskKey(baseOf(prefix, scope), taskId));
      return Object.keys(fields).length === 0 ? undefined : JSON.stringify(fields);
    },
    async readPushConfigsRaw(scope, taskId) {
      return client.hvals(pushConfigsKey(baseOf(prefix, scope), taskId));
    },
  };
}

/**
 * A conformance harness over a shared client: each test's stores get the shared client (never
 * closed by them) and the file's key prefix; `destroy` deletes the file's keys.
 */
export function redisHarness(
  name: string,
  client: () => RedisClient,
  prefix: string,
  extra: RedisStoreOptions = {},
): StoreHarness {
  return {
    name,
    create: (options: CoreStoreOptions) =>
      createRedisStores({ client: client() }, { ...extra, ...options, keyPrefix: prefix }),
    probe: {
      corruptTask: (scope, taskId) => redisProbe(client(), prefix).corruptTask(scope, taskId),
      corruptPushConfig: (scope, taskId, configId) =>
        redisProbe(client(), prefix).corruptPushConfig!(scope, taskId, configId),
      readTaskRaw: (scope, taskId) => redisProbe(client(), prefix).readTaskRaw!(scope, taskId),
      readPushConfigsRaw: (scope, taskId) =>
        redisProbe(client(), prefix).readPushConfigsRaw!(scope, taskId),
    },
  };
}
