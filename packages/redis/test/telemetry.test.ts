import {
  callContext,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { checkStoreTelemetry, TelemetryCapture } from '@a2a-stores/otel-testing';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../src/index.js';
import { redisRawProbe } from '../src/testing/index.js';
import { connectTestRedis, deleteKeysWithPrefix, testPrefix } from './helpers.js';

const capture = new TelemetryCapture();
const prefix = testPrefix('otel');
let client: Redis;
beforeAll(async () => {
  client = await connectTestRedis();
});
afterAll(async () => {
  await deleteKeysWithPrefix(client, prefix);
  await client.quit();
  await capture.shutdown();
});

describe('redis: OpenTelemetry spans and metrics (real SDK)', () => {
  it('every store call is a client span with redis attributes; nothing private leaks', async () => {
    const url = new URL((await resolveTestBackend('redis')).url);
    const stores = createRedisStores(
      { client },
      { keyPrefix: prefix, logger: silentLogger(), pushUrlCheck: () => {} },
    );
    await stores.migrate();
    const secrets = [url.href, prefix];
    if (url.password) secrets.push(url.password);
    await checkStoreTelemetry(
      capture,
      stores,
      { randomScope, callContext, makeTask, makePushConfig },
      {
        system: 'redis',
        taskCollection: 'tasks',
        pushCollection: 'push_configs',
        serverAddress: client.options.host ?? '',
        serverPort: client.options.port ?? 6379,
      },
      secrets,
      redisRawProbe(client, { keyPrefix: prefix }),
    );
  });

  it('countPurgeable is not reported as a purge', async () => {
    const stores = createRedisStores({ client }, { keyPrefix: prefix, logger: silentLogger() });
    const ctx = callContext(randomScope());
    await stores.taskStore.save(makeTask({ state: 3 }), ctx);
    const before = await capture.total('a2a_stores.purge.deleted_tasks');
    capture.reset();
    expect(
      await stores.countPurgeable({ olderThan: new Date(Date.now() + 60_000) }),
    ).toBeGreaterThan(0);
    expect(await capture.total('a2a_stores.purge.deleted_tasks')).toBe(before);
    expect(capture.spans().filter((s) => s.name.startsWith('purge'))).toEqual([]);
  });
});
