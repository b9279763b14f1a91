import { randomUUID } from 'node:crypto';
import {
  type ChannelState,
  type CoordinationBackend,
  StoreUnavailableError,
} from '@a2a-stores/core';
import { randomScope, silentLogger } from '@a2a-stores/core/conformance';
import { type RedisClusterInstance, startRedisCluster, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCoordination } from '../src/index.js';

let cluster: RedisClusterInstance;
let backend: CoordinationBackend;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  backend = createRedisCoordination({
    cluster: [...cluster.nodes],
    keyPrefix: 'coord-cluster-fault:',
    logger: silentLogger(),
  });
}, 120_000);

afterAll(async () => {
  await backend?.close();
  await cluster?.stop();
});

describe('Redis coordination on a Cluster that loses every node', () => {
  it('fails calls with StoreUnavailableError, reports down, and restores its subscriptions', async () => {
    const states: ChannelState[] = [];
    backend.onChannelState?.((state) => states.push(state));
    const received: string[] = [];
    const channel = `events-${randomUUID()}`;
    await backend.subscribe(channel, (message) => received.push(message));
    await backend.publish(channel, 'before');
    await waitFor('the first message', async () => received.length === 1, 10_000);

    await cluster.kill();
    await waitFor('the channel to go down', async () => states.includes('down'), 10_000);
    const lease = {
      key: `lease-${randomUUID()}`,
      scope: randomScope(),
      taskId: 'task',
      holder: 'worker-a',
      token: 'token',
    };
    await Promise.all(
      [
        backend.acquireLease(lease, 60_000),
        backend.claimExpiredLeases('sweeper', 'tok', 60_000, 10),
        backend.publish(channel, 'lost'),
      ].map((call) => expect(call).rejects.toBeInstanceOf(StoreUnavailableError)),
    );

    await cluster.restart();
    // The subscriber gave up on its node and reopens on some master once the cluster is back.
    await waitFor('the channel to come back up', async () => states.at(-1) === 'up', 60_000);
    // Published until one arrives: right after a restart the cluster bus between the node a
    // channel is published through and the subscriber's node may still be connecting, and
    // plain pub/sub drops what it cannot forward. No new subscribe call is made.
    await waitFor(
      'a message published after the restart to arrive',
      async () => {
        await backend.publish(channel, 'after');
        return received.includes('after');
      },
      60_000,
    );
    expect(received[0]).toBe('before');
    expect(received).not.toContain('lost');
    expect(states[0]).toBe('down');
    expect((await backend.acquireLease(lease, 60_000)).acquired).toBe(true);
  }, 180_000);
});
