import { randomUUID } from 'node:crypto';
import type { CoreStoreOptions, Scope } from '@a2a-stores/core';
import { deferredProbe, type StoreHarness } from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { type Cluster, Redis } from 'ioredis';
import {
  createRedisStores,
  DEFAULT_CLIENT_OPTIONS,
  type RedisClient,
  type RedisStoreOptions,
} from '../src/index.js';
import { scopeBase, scopeTag } from '../src/keys.js';
import { redisRawProbe } from '../src/testing/index.js';

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

/**
 * A conformance harness over a shared client: each test's stores get the shared client (never
 * closed by them) and the file's key prefix; the file deletes its keys in `afterAll`.
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
    probe: deferredProbe(() => redisRawProbe(client(), { keyPrefix: prefix })),
  };
}
