// The coordination suite on clients from ioredis 5 (the peer range is `^5.3.0 || ^6.0.0`; the
// main run uses 6): the subscriber connection is a `duplicate()` of the client given, so its
// events and options must work on 5 as well.
import { resolveTestBackend } from '@a2a-stores/test-backends';
import type { Redis } from 'ioredis';
import { Redis as Redis5, type RedisOptions as RedisOptions5 } from 'ioredis5';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CLIENT_OPTIONS, type RedisClient } from '../src/index.js';
import { describeCoordination } from './coordination-suite.js';

let client: Redis5;
let url: string;

beforeAll(async () => {
  url = (await resolveTestBackend('redis')).url;
  client = new Redis5(url, { ...(DEFAULT_CLIENT_OPTIONS as unknown as RedisOptions5) });
  client.on('error', () => {});
});

afterAll(async () => {
  await client.quit();
});

it('runs on ioredis 5', async () => {
  const { version } = (await import('ioredis5/package.json', { with: { type: 'json' } })).default;
  expect(version).toMatch(/^5\./);
});

/** 5's classes differ from 6's in private members only: viewed through 6's type. */
const typed = (): RedisClient => client as unknown as Redis;

describeCoordination('standalone, ioredis 5', () => ({
  client: typed,
  owned: () => ({ url }),
  connectedNamed: async (name) => {
    const list = (await typed().client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  },
}));
