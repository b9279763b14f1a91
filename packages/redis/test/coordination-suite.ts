import { randomUUID } from 'node:crypto';
import {
  type CoordinationBackend,
  type LeaseRecord,
  type LeaseRequest,
  StoreClosedError,
} from '@a2a-stores/core';
import { randomScope } from '@a2a-stores/core/conformance';
import { waitFor } from '@a2a-stores/test-backends';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RedisCoordinationOptions } from '../src/coordination/options.js';
import { createRedisCoordination, type RedisClient } from '../src/index.js';
import { deleteKeysWithPrefix, testPrefix } from './helpers.js';

/** How a suite run reaches Redis: a shared client, and options that open owned connections. */
export interface CoordinationTarget {
  /** A client of the target (standalone or Cluster); the suite never quits it. */
  client(): RedisClient;
  /** Connection options that make the backend open (and own) its connections. */
  owned(): RedisCoordinationOptions;
  /** Names of clients currently connected under `name`, over every node. */
  connectedNamed(name: string): Promise<number>;
}

function request(holder: string, overrides: Partial<LeaseRequest> = {}): LeaseRequest {
  return {
    key: `lease-${randomUUID()}`,
    scope: randomScope(),
    taskId: `task-${randomUUID()}`,
    holder,
    token: randomUUID(),
    ...overrides,
  };
}

/** Collects messages and lets a test wait until a condition on them holds. */
function collector() {
  const messages: string[] = [];
  return {
    messages,
    listener: (message: string) => {
      messages.push(message);
    },
    until: (count: number, timeoutMs = 10_000) =>
      waitFor(`${count} message(s)`, async () => messages.length >= count, timeoutMs),
  };
}

/**
 * Every CoordinationBackend method's semantics, with two backend instances as two workers on
 * one Redis. Each test opens backends on a key prefix of its own, so sweeps see only its leases.
 */
export function describeCoordination(label: string, target: () => CoordinationTarget): void {
  describe(`Redis coordination (${label})`, () => {
    const opened: CoordinationBackend[] = [];
    const prefixes: string[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((backend) => backend.close()));
    });
    // Leases outlive their expiry by the retention (a day): remove what the tests left.
    afterAll(async () => {
      for (const prefix of prefixes) await deleteKeysWithPrefix(target().client(), prefix);
    });

    function prefixFor(label: string): string {
      const prefix = testPrefix(label);
      prefixes.push(prefix);
      return prefix;
    }

    function workers(count = 2, prefix = prefixFor('coord')): CoordinationBackend[] {
      const backends = Array.from({ length: count }, () =>
        createRedisCoordination({ client: target().client(), keyPrefix: prefix }),
      );
      opened.push(...backends);
      return backends;
    }

    it('acquires a free lease; another holder is refused and told who holds it', async () => {
      const [a, b] = workers();
      const mine = request('worker-a');
      const got = await a!.acquireLease(mine, 30_000);
      expect(got.acquired).toBe(true);
      const refused = await b!.acquireLease({ ...mine, holder: 'worker-b', token: 't-b' }, 30_000);
      expect(refused.acquired).toBe(false);
      if (refused.acquired) return;
      expect(refused.current).toMatchObject({
        key: mine.key,
        holder: 'worker-a',
        token: mine.token,
        taskId: mine.taskId,
        scope: mine.scope,
        live: true,
      });
      expect(got.acquired && refused.current.expiresAt).toBe(got.acquired && got.expiresAt);
    });

    it('is re-entrant for its holder: the token is replaced and the old one loses the lease', async () => {
      const [a, b] = workers();
      const first = request('worker-a');
      await a!.acquireLease(first, 30_000);
      const again = await b!.acquireLease({ ...first, token: 'second-token' }, 30_000);
      expect(again.acquired).toBe(true);
      expect(await a!.renewLease(first.key, 'worker-a', first.token, 30_000)).toBe(false);
      expect(await a!.renewLease(first.key, 'worker-a', 'second-token', 30_000)).toBe(true);
      expect(await b!.readLease(first.key)).toMatchObject({ token: 'second-token', live: true });
    });

    it('renews only for the holder with its token, extending expiresAt', async () => {
      const [a, b] = workers();
      const lease = request('worker-a');
      const got = await a!.acquireLease(lease, 5_000);
      if (!got.acquired) throw new Error('not acquired');
      expect(await b!.renewLease(lease.key, 'worker-b', lease.token, 60_000)).toBe(false);
      expect(await b!.renewLease(lease.key, 'worker-a', 'wrong', 60_000)).toBe(false);
      expect(await b!.renewLease('no-such-lease', 'worker-a', lease.token, 60_000)).toBe(false);
      expect(await a!.renewLease(lease.key, 'worker-a', lease.token, 60_000)).toBe(true);
      const read = await b!.readLease(lease.key);
      expect(read?.expiresAt).toBeGreaterThanOrEqual(got.expiresAt + 55_000);
    });

    it('releases only for the holder with its token', async () => {
      const [a, b] = workers();
      const lease = request('worker-a');
      await a!.acquireLease(lease, 30_000);
      await b!.releaseLease(lease.key, 'worker-b', lease.token);
      await b!.releaseLease(lease.key, 'worker-a', 'wrong');
      expect(await b!.readLease(lease.key)).toMatchObject({ holder: 'worker-a', live: true });
      await a!.releaseLease(lease.key, 'worker-a', lease.token);
      expect(await b!.readLease(lease.key)).toBeUndefined();
      await a!.releaseLease(lease.key, 'worker-a', lease.token);
      const taken = await b!.acquireLease({ ...lease, holder: 'worker-b' }, 30_000);
      expect(taken.acquired).toBe(true);
      // A released lease is gone from the sweep index too: nothing to claim once it expires.
      await b!.releaseLease(lease.key, 'worker-b', lease.token);
      expect(await a!.claimExpiredLeases('sweeper', 'tok', 1_000, 10)).toEqual([]);
    });

    it('expires on the server clock: readable as not live, then taken by another holder', async () => {
      const [a, b] = workers();
      const lease = request('worker-a');
      await a!.acquireLease(lease, 150);
      await waitFor(
        'the lease to expire',
        async () => (await b!.readLease(lease.key))?.live === false,
        10_000,
      );
      expect(await b!.readLease(lease.key)).toMatchObject({ holder: 'worker-a', live: false });
      const taken = await b!.acquireLease({ ...lease, holder: 'worker-b', token: 't-b' }, 30_000);
      expect(taken.acquired).toBe(true);
      expect(await a!.readLease(lease.key)).toMatchObject({ holder: 'worker-b', live: true });
      expect(await a!.renewLease(lease.key, 'worker-a', lease.token, 30_000)).toBe(false);
    });

    it('lets the holder renew an expired lease nobody has taken over yet', async () => {
      const [a, b] = workers();
      const lease = request('worker-a');
      await a!.acquireLease(lease, 150);
      await waitFor(
        'the lease to expire',
        async () => (await b!.readLease(lease.key))?.live === false,
        10_000,
      );
      expect(await a!.renewLease(lease.key, 'worker-a', lease.token, 60_000)).toBe(true);
      expect(await b!.readLease(lease.key)).toMatchObject({ holder: 'worker-a', live: true });
      // Live again, so a sweep does not take it.
      expect(await b!.claimExpiredLeases('sweeper', 'tok', 60_000, 10)).toEqual([]);
    });

    it('gives each expired lease to exactly one of 5 concurrent sweepers, never a live one', async () => {
      const prefix = prefixFor('claim');
      const [owner, ...sweepers] = workers(6, prefix);
      const expiring = Array.from({ length: 40 }, () => request('dead-worker'));
      await Promise.all(expiring.map((lease) => owner!.acquireLease(lease, 100)));
      const live = request('live-worker');
      await owner!.acquireLease(live, 60_000);
      await waitFor(
        'every short lease to expire',
        async () =>
          (await Promise.all(expiring.map((l) => owner!.readLease(l.key)))).every(
            (read) => read?.live === false,
          ),
        10_000,
      );
      const results = await Promise.all(
        sweepers.map(async (sweeper, i) => {
          const claimed: LeaseRecord[] = [];
          // Small limits, repeated: sweepers interleave instead of one taking everything.
          for (;;) {
            const batch = await sweeper.claimExpiredLeases(`sweeper-${i}`, `token-${i}`, 60_000, 3);
            expect(batch.length).toBeLessThanOrEqual(3);
            if (batch.length === 0) return claimed;
            claimed.push(...batch);
          }
        }),
      );
      const all = results.flat();
      expect(all).toHaveLength(expiring.length);
      expect(new Set(all.map((lease) => lease.key))).toEqual(new Set(expiring.map((l) => l.key)));
      const byKey = new Map(expiring.map((lease) => [lease.key, lease]));
      for (const claimed of all) {
        const original = byKey.get(claimed.key)!;
        // As it was before the takeover.
        expect(claimed).toMatchObject({
          holder: 'dead-worker',
          token: original.token,
          taskId: original.taskId,
          scope: original.scope,
          live: false,
        });
      }
      const winner = results.findIndex((batch) => batch.some((l) => l.key === expiring[0]!.key));
      expect(await owner!.readLease(expiring[0]!.key)).toMatchObject({
        holder: `sweeper-${winner}`,
        token: `token-${winner}`,
        live: true,
      });
      expect(await owner!.readLease(live.key)).toMatchObject({ holder: 'live-worker', live: true });
    });

    it('delivers 200 messages from one publisher in order, to every subscriber', async () => {
      const [a, b] = workers();
      const channel = `ch-${randomUUID()}`;
      const onB = collector();
      const onA = collector();
      await b!.subscribe(channel, onB.listener);
      await a!.subscribe(channel, onA.listener);
      const sent = Array.from({ length: 200 }, (_, i) => `message ${i}`);
      await Promise.all(sent.map((message) => a!.publish(channel, message)));
      await onB.until(200);
      await onA.until(200);
      expect(onB.messages).toEqual(sent);
      expect(onA.messages).toEqual(sent);
    });

    it('delivers a 1 MiB message intact', async () => {
      const [a, b] = workers();
      const channel = `big-${randomUUID()}`;
      const got = collector();
      await b!.subscribe(channel, got.listener);
      const big = `é€${'x'.repeat(1024 * 1024)}🎉`;
      await a!.publish(channel, big);
      await got.until(1);
      expect(got.messages[0]!.length).toBe(big.length);
      expect(got.messages[0] === big).toBe(true);
    });

    it('never delivers across channels or key prefixes', async () => {
      const [a, b] = workers();
      const [other] = workers(1, prefixFor('other'));
      const [one, two] = [`one-${randomUUID()}`, `two-${randomUUID()}`];
      const onOne = collector();
      const onTwo = collector();
      const otherPrefix = collector();
      await b!.subscribe(one, onOne.listener);
      await b!.subscribe(two, onTwo.listener);
      await other!.subscribe(one, otherPrefix.listener);
      await a!.publish(one, 'for one');
      await a!.publish(two, 'for two');
      await other!.publish(one, 'other prefix');
      await onOne.until(1);
      await onTwo.until(1);
      await otherPrefix.until(1);
      expect(onOne.messages).toEqual(['for one']);
      expect(onTwo.messages).toEqual(['for two']);
      expect(otherPrefix.messages).toEqual(['other prefix']);
    });

    it('unsubscribe stops delivery to that listener only and is idempotent', async () => {
      const [a, b] = workers();
      const channel = `unsub-${randomUUID()}`;
      const kept = collector();
      const dropped = collector();
      await b!.subscribe(channel, kept.listener);
      const unsubscribe = await b!.subscribe(channel, dropped.listener);
      await a!.publish(channel, 'both');
      await kept.until(1);
      await dropped.until(1);
      await unsubscribe();
      await unsubscribe();
      await a!.publish(channel, 'kept only');
      await kept.until(2);
      expect(dropped.messages).toEqual(['both']);

      // The last listener leaving unsubscribes in Redis; a later subscribe works again.
      const sentinel = `sentinel-${randomUUID()}`;
      const onSentinel = collector();
      await b!.subscribe(sentinel, onSentinel.listener);
      const last = await b!.subscribe(channel, () => {});
      await last();
      const unsubscribed = collector();
      const again = await b!.subscribe(channel, unsubscribed.listener);
      await again();
      await a!.publish(channel, 'nobody');
      await a!.publish(sentinel, 'after');
      await onSentinel.until(1);
      expect(unsubscribed.messages).toEqual([]);
      expect(kept.messages).toEqual(['both', 'kept only', 'nobody']);
    });

    it('close() ends its own connections, never a client passed in, and refuses later calls', async () => {
      const name = `coord-close-${randomUUID().slice(0, 8)}`;
      const owned = target().owned();
      const connection =
        'url' in owned && owned.url !== undefined
          ? { ...owned, redisOptions: { ...owned.redisOptions, connectionName: name } }
          : {
              ...owned,
              clusterOptions: {
                ...('clusterOptions' in owned ? owned.clusterOptions : {}),
                redisOptions: { connectionName: name },
              },
            };
      const backend = createRedisCoordination({ ...connection, keyPrefix: prefixFor('close') });
      await backend.subscribe('x', () => {});
      await backend.publish('x', 'y');
      await backend.acquireLease(request('w'), 1_000);
      expect(await target().connectedNamed(name)).toBeGreaterThanOrEqual(2);
      await backend.close();
      await backend.close();
      await waitFor('no connection left', async () => (await target().connectedNamed(name)) === 0);
      await expect(backend.publish('x', 'y')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(backend.subscribe('x', () => {})).rejects.toBeInstanceOf(StoreClosedError);
      await expect(backend.readLease('k')).rejects.toBeInstanceOf(StoreClosedError);

      const shared = target().client();
      const [user] = workers(1);
      await user!.subscribe('y', () => {});
      await user!.close();
      await expect(shared.exists('anything')).resolves.toBe(0);
    });

    it('rejects bad options and out-of-range arguments with typed errors', async () => {
      const [a] = workers(1);
      expect(() =>
        createRedisCoordination({ client: target().client(), keyPrefix: 'a{b}' }),
      ).toThrow(TypeError);
      expect(() =>
        createRedisCoordination({ client: target().client(), expiredLeaseRetentionMs: 0 }),
      ).toThrow(TypeError);
      await expect(a!.acquireLease(request('w'), 0)).rejects.toBeInstanceOf(RangeError);
      await expect(a!.claimExpiredLeases('w', 't', 1_000, 0)).rejects.toBeInstanceOf(RangeError);
    });
  });
}
