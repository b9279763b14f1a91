import { randomUUID } from 'node:crypto';
import { createRedisStores } from '@a2a-stores/redis';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import type { BackendSubjects } from './backend-subjects.js';
import { benchPushUrlCheck } from './push-url-check.js';
import { RedisFloorTaskStore } from './redis-floor.js';

/** Persistence as the server is configured: the bench measures it as it is, and says so. */
async function serverSettings(redis: Redis): Promise<string> {
  const config = async (name: string) => ((await redis.config('GET', name)) as string[])[1] ?? '';
  const info = await redis.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  const appendonly = await config('appendonly');
  const appendfsync = await config('appendfsync');
  const save = await config('save');
  const persistence =
    appendonly === 'yes'
      ? `AOF on (appendfsync=${appendfsync})${save ? `, RDB save "${save}"` : ''}`
      : save
        ? `RDB snapshots only (save "${save}"), no AOF: a crash loses the writes since the last snapshot`
        : 'no persistence (appendonly=no, save ""): a restart loses everything';
  return `local service, Redis ${version}, ${persistence}; the floor runs on the same server, so it has the same durability`;
}

/** Removes every key under `prefix` (the bench's own keys; the shared server keeps the rest). */
async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/**
 * The Redis subjects: our adapter and the raw ioredis floor, each under its own fresh key prefix
 * on one server, each with its own connection. The SDK has no Redis store.
 */
export async function redisSubjects(): Promise<BackendSubjects> {
  const backend = await resolveTestBackend('redis');
  const run = randomUUID().slice(0, 8);
  const floorPrefix = `a2a-bench-floor-${run}:`;
  const oursPrefix = `a2a-bench-${run}:`;
  const floorClient = new Redis(backend.url, { maxRetriesPerRequest: 0 });
  const settings = await serverSettings(floorClient);
  const ours = createRedisStores(
    { url: backend.url },
    { keyPrefix: oursPrefix, pushUrlCheck: benchPushUrlCheck() },
  );
  await ours.migrate();
  return {
    settings,
    notes: ['SDK store: the SDK has no Redis store'],
    subjects: [
      {
        name: 'raw ioredis (floor)',
        role: 'floor',
        taskStore: new RedisFloorTaskStore(floorClient, floorPrefix),
        close: async () => {
          await removeKeys(floorClient, floorPrefix);
          floorClient.disconnect();
        },
      },
      {
        name: '@a2a-stores/redis',
        role: 'adapter',
        taskStore: ours.taskStore,
        pushStore: ours.pushNotificationStore,
        close: async () => {
          const cleaner = new Redis(backend.url, { maxRetriesPerRequest: 0 });
          await removeKeys(cleaner, oursPrefix);
          cleaner.disconnect();
          await ours.close();
          await backend.stop();
        },
      },
    ],
  };
}
