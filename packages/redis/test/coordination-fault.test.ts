import { randomUUID } from 'node:crypto';
import {
  type ChannelState,
  type CoordinationBackend,
  StoreUnavailableError,
} from '@a2a-stores/core';
import { randomScope, silentLogger } from '@a2a-stores/core/conformance';
import {
  type RedisInstance,
  redisCli,
  startRedisInstance,
  waitFor,
} from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCoordination } from '../src/index.js';

let server: RedisInstance;
let backend: CoordinationBackend;

beforeAll(async () => {
  server = await startRedisInstance();
  backend = createRedisCoordination({
    url: server.url,
    keyPrefix: 'coord-fault:',
    logger: silentLogger(),
    subscribeTimeoutMs: 2_000,
  });
}, 60_000);

afterAll(async () => {
  await backend?.close();
  await server?.stop();
});

function lease(holder: string) {
  return {
    key: `lease-${randomUUID()}`,
    scope: randomScope(),
    taskId: `task-${randomUUID()}`,
    holder,
    token: randomUUID(),
  };
}

describe('Redis coordination when its server goes away and comes back', () => {
  it('fails calls with StoreUnavailableError, reports down, then up once re-subscribed', async () => {
    const states: ChannelState[] = [];
    backend.onChannelState?.((state) => states.push(state));
    const received: string[] = [];
    const channel = `events-${randomUUID()}`;
    await backend.subscribe(channel, (message) => received.push(message));
    await backend.publish(channel, 'before');
    await waitFor('the first message', async () => received.length === 1, 10_000);
    const held = lease('worker-a');
    expect((await backend.acquireLease(held, 60_000)).acquired).toBe(true);

    await server.kill();
    await waitFor('the channel to go down', async () => states.includes('down'), 10_000);
    // Every call settles with a typed error in bounded time (the test timeout catches a hang);
    // all are checked at once, so none rejects before its handler is attached.
    await Promise.all(
      [
        backend.acquireLease(lease('worker-b'), 60_000),
        backend.renewLease(held.key, held.holder, held.token, 60_000),
        backend.releaseLease(held.key, held.holder, held.token),
        backend.readLease(held.key),
        backend.claimExpiredLeases('sweeper', 'tok', 60_000, 10),
        backend.publish(channel, 'lost'),
        backend.subscribe(`other-${randomUUID()}`, () => {}),
      ].map((call) => expect(call).rejects.toBeInstanceOf(StoreUnavailableError)),
    );
    expect(states).toEqual(['down']);

    await server.restart();
    await waitFor('the channel to come back up', async () => states.at(-1) === 'up', 30_000);
    // `up` comes after Redis acknowledged the re-subscription: the channel is subscribed now,
    // and a message published at once arrives, with no new subscribe call.
    const numsub = await redisCli(server.port, ['pubsub', 'numsub', `coord-fault:ch:${channel}`]);
    expect(numsub.trim().split('\n')[1]).toBe('1');
    await backend.publish(channel, 'after');
    await waitFor('the message after the restart', async () => received.length === 2, 10_000);
    expect(received).toEqual(['before', 'after']);
    expect(states).toEqual(['down', 'up']);

    // Leases work again on the same backend object (the restarted server kept no data).
    expect((await backend.acquireLease(lease('worker-a'), 60_000)).acquired).toBe(true);
    expect(await backend.readLease(held.key)).toBeUndefined();
  }, 90_000);
});
