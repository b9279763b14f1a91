import { randomBytes } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { createRedisStores, type RedisStoreOptions } from '@a2a-stores/redis';
import { dumpKeys } from '@a2a-stores/redis/testing';
import { resolveTestBackend, type TestBackend } from '@a2a-stores/test-backends';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const DAY_MS = 86_400_000;

let backend: TestBackend;
let client: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  backend = await resolveTestBackend('redis');
  client = new Redis(backend.url);
  client.on('error', () => {});
});

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
  }
  await client.quit();
  await backend.stop();
});

/** Every key under the prefix with its type, content and expiry instant, in key order. */
async function dumpPrefix(prefix: string): Promise<Record<string, [string, string, number]>> {
  return dumpKeys(client, await client.keys(`${prefix}*`));
}

/**
 * A fresh prefix with three scopes, each holding tasks written 40 days ago (completed twice,
 * failed, working, input-required; each with a push config) and a recent completed one.
 */
async function seed(): Promise<string> {
  const prefix = `cli-dry-${randomBytes(4).toString('hex')}:`;
  prefixes.push(prefix);
  const common: RedisStoreOptions = {
    keyPrefix: prefix,
    pushUrlCheck: conformancePushUrlCheck(),
    logger: silentLogger(),
  };
  const old = createRedisStores({ client }, { ...common, now: () => Date.now() - 40 * DAY_MS });
  const current = createRedisStores({ client }, common);
  await current.migrate();
  for (const scope of [randomScope(), randomScope(), { tenant: '', owner: '' }]) {
    const ctx = callContext(scope);
    for (const state of [
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_FAILED,
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_INPUT_REQUIRED,
    ]) {
      const task = makeTask({ state });
      await old.taskStore.save(task, ctx);
      await old.pushNotificationStore.save(task.id, ctx, makePushConfig(task.id));
    }
    await current.taskStore.save(makeTask({ state: TaskState.TASK_STATE_COMPLETED }), ctx);
  }
  await old.close();
  await current.close();
  return prefix;
}

describe('purge --dry-run on redis', () => {
  const cases: Array<[string[], number]> = [
    [['--older-than', '30d'], 9],
    [['--older-than', '30d', '--batch-size', '1'], 9],
    [['--older-than', '30d', '--states', 'completed', '--batch-size', '2'], 6],
    [['--older-than', '30d', '--states', 'working,input-required'], 6],
    [['--older-than', '60d'], 0],
  ];

  it.each(cases)(
    '%j counts what purge then deletes and changes no key',
    async (filters, expected) => {
      const prefix = await seed();
      const target = ['--url', backend.url, '--key-prefix', prefix, '--json'];
      const before = await dumpPrefix(prefix);
      const dry = await runBin(['purge', '--dry-run', ...filters, ...target]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, wouldDelete: expected });
      expect(await dumpPrefix(prefix)).toEqual(before);
      const run = await runBin(['purge', ...filters, ...target]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ deleted: expected });
    },
  );

  it('on a prefix nothing was ever written to, counts 0 and creates no key', async () => {
    const prefix = `cli-dry-${randomBytes(4).toString('hex')}:`;
    prefixes.push(prefix);
    const dry = await runBin([
      ...['purge', '--dry-run', '--older-than', '1d', '--json'],
      ...['--url', backend.url, '--key-prefix', prefix],
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, wouldDelete: 0 });
    expect(await client.keys(`${prefix}*`)).toEqual([]);
  });
});
