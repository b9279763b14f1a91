import { StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import { callContext, makeTask, randomScope, silentLogger } from '@a2a-stores/core/conformance';
import {
  freePort,
  type RedisInstance,
  startRedisInstance,
  waitFor,
} from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisStores,
  DEFAULT_CLIENT_OPTIONS,
  REDIS_FORMAT_ID,
  RedisFormatError,
  type RedisStoreOptions,
} from '../src/index.js';

let server: RedisInstance;
let client: Redis;

function connect(): Redis {
  const connection = new Redis(server.url, { ...DEFAULT_CLIENT_OPTIONS });
  connection.on('error', () => {});
  return connection;
}

beforeAll(async () => {
  server = await startRedisInstance();
  client = connect();
}, 60_000);

afterAll(async () => {
  await client?.quit();
  await server?.stop();
});

describe('connections', () => {
  it('close() leaves a client you passed open and refuses later calls', async () => {
    const stores = createRedisStores({ client }, { keyPrefix: 'own:', logger: silentLogger() });
    const ctx = callContext(randomScope());
    await stores.taskStore.save(makeTask(), ctx);
    await stores.close();
    expect(client.status).toBe('ready');
    await expect(client.ping()).resolves.toBe('PONG');
    await expect(stores.taskStore.load('any', ctx)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(stores.close()).resolves.toBeUndefined();
  });

  it('close() quits a connection it opened from a url', async () => {
    const stores = createRedisStores(
      { url: server.url },
      { keyPrefix: 'own:', logger: silentLogger() },
    );
    const ctx = callContext(randomScope());
    await stores.taskStore.save(makeTask(), ctx);
    await stores.close();
    await waitFor('the connection to end', async () => stores.client.status === 'end', 10_000);
    await expect(stores.taskStore.load('any', ctx)).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('fails fast with StoreUnavailableError when nothing listens, and closes cleanly', async () => {
    const port = await freePort();
    const stores = createRedisStores(
      { url: `redis://127.0.0.1:${port}` },
      { logger: silentLogger() },
    );
    const ctx = callContext(randomScope());
    const failure = await stores.taskStore.load('any', ctx).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    // Messages reach clients: the driver's text (host, port) stays in `cause`.
    expect((failure as Error).message).not.toContain(String(port));
    expect((failure as Error).message).not.toContain('127.0.0.1');
    await expect(stores.taskStore.save(makeTask(), ctx)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await stores.close();
  });

  it('reloads its scripts after SCRIPT FLUSH (NOSCRIPT falls back to EVAL)', async () => {
    const stores = createRedisStores({ client }, { keyPrefix: 'flush:', logger: silentLogger() });
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    await client.script('FLUSH');
    await stores.taskStore.save({ ...task, metadata: { again: true } }, ctx);
    await expect(stores.taskStore.loadVersioned(task.id, ctx)).resolves.toMatchObject({
      version: 2,
      task: { metadata: { again: true } },
    });
    await stores.close();
  });
});

describe('migrate()', () => {
  it('stamps the storage format once and is idempotent', async () => {
    const stores = createRedisStores({ client }, { keyPrefix: 'migrate:' });
    await expect(stores.migrate()).resolves.toEqual({
      applied: [REDIS_FORMAT_ID],
      current: [REDIS_FORMAT_ID],
    });
    await expect(stores.migrate()).resolves.toEqual({ applied: [], current: [REDIS_FORMAT_ID] });
    expect(await client.hget('migrate:meta', 'format')).toBe('3');
    await stores.close();
  });

  it.each(['1', '2'])(
    'moves a format-%s prefix to format 3, keeping its tasks readable',
    async (from) => {
      const prefix = `format${from}:`;
      const stores = createRedisStores({ client }, { keyPrefix: prefix });
      await client.hset(`${prefix}meta`, 'format', from);
      const ctx = callContext(randomScope());
      const task = makeTask();
      await stores.taskStore.save(task, ctx);
      await expect(stores.health()).resolves.toMatchObject({
        pendingMigrations: [REDIS_FORMAT_ID],
      });
      await expect(stores.migrate()).resolves.toEqual({
        applied: [REDIS_FORMAT_ID],
        current: [REDIS_FORMAT_ID],
      });
      await expect(stores.migrate()).resolves.toEqual({ applied: [], current: [REDIS_FORMAT_ID] });
      expect(await client.hget(`${prefix}meta`, 'format')).toBe('3');
      await expect(stores.health()).resolves.toMatchObject({ pendingMigrations: [] });
      await expect(stores.taskStore.load(task.id, ctx)).resolves.toEqual(task);
      await stores.close();
    },
  );

  it('refuses keys written in a newer format', async () => {
    await client.hset('newer:meta', 'format', '4');
    const stores = createRedisStores({ client }, { keyPrefix: 'newer:' });
    const error = await stores.migrate().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisFormatError);
    expect(error).toMatchObject({ code: 'SCHEMA_NOT_MIGRATED', found: '4' });
    await stores.close();
  });
});

describe('option validation', () => {
  const bad: [string, () => unknown][] = [
    ['no connection', () => createRedisStores({} as never)],
    ['two connections', () => createRedisStores({ client, url: server.url } as never)],
    ['a url of another scheme', () => createRedisStores({ url: 'http://127.0.0.1:6379' })],
    ['an empty cluster', () => createRedisStores({ cluster: [] })],
    ['a client that is not ioredis', () => createRedisStores({ client: {} as never })],
    ['braces in keyPrefix', () => createRedisStores({ client }, { keyPrefix: 'app:{x}:' })],
    [
      'braces in the client keyPrefix',
      () => createRedisStores({ url: server.url, redisOptions: { keyPrefix: '{app}:' } }),
    ],
    ['a zero TTL', () => createRedisStores({ client }, { finishedTaskTtl: 0 })],
    ['a fractional TTL', () => createRedisStores({ client }, { finishedTaskTtl: 1.5 })],
    [
      'a WAIT timeout of 0 (blocks forever)',
      () => createRedisStores({ client }, { waitForReplicas: { replicas: 1, timeoutMs: 0 } }),
    ],
    [
      'negative replicas',
      () => createRedisStores({ client }, { waitForReplicas: { replicas: -1, timeoutMs: 10 } }),
    ],
    [
      'a zero prune batch',
      () => createRedisStores({ client }, { expiryPruneBatch: 0 } as RedisStoreOptions),
    ],
  ];
  for (const [what, create] of bad) {
    it(`refuses ${what} with a TypeError, before connecting`, () => {
      expect(create).toThrow(TypeError);
    });
  }
});
