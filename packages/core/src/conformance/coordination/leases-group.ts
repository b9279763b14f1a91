import type { LeaseRequest, Scope } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import { randomId, randomScope } from '../helpers/identity.js';
import type { CoordinationHarness } from './harness.js';
import { useCoordination } from './lifecycle.js';
import { waitFor } from './wait.js';

function request(holder: string, overrides: Partial<LeaseRequest> = {}): LeaseRequest {
  const scope: Scope = randomScope();
  return {
    key: randomId('key'),
    scope,
    taskId: randomId('task'),
    holder,
    token: randomId('token'),
    ...overrides,
  };
}

/** Leases: acquire, contend, re-enter, renew, release, expire, and claims of expired leases. */
export function runCoordinationLeaseGroup(harness: CoordinationHarness, destroy = true): void {
  describe(`coordination leases (${harness.name})`, () => {
    const env = useCoordination(harness, destroy);

    it('acquires a free lease and reads it back live, with scope and task id', async () => {
      const backend = await env.open();
      const lease = request(randomId('worker'));
      const before = Date.now();
      const result = await backend.acquireLease(lease, 10_000);
      expect(result.acquired).toBe(true);
      if (result.acquired) expect(result.expiresAt).toBeGreaterThan(before);
      const read = await backend.readLease(lease.key);
      expect(read).toMatchObject({
        key: lease.key,
        scope: lease.scope,
        taskId: lease.taskId,
        holder: lease.holder,
        token: lease.token,
        live: true,
      });
      await expect(backend.readLease(randomId('key'))).resolves.toBeUndefined();
    });

    it('refuses a live lease to another worker and names the holder', async () => {
      const [a, b] = [await env.open(), await env.open()];
      const lease = request(randomId('worker-a'));
      await a.acquireLease(lease, 10_000);
      const other = await b.acquireLease(
        { ...lease, holder: randomId('worker-b'), token: randomId('t') },
        10_000,
      );
      expect(other.acquired).toBe(false);
      if (!other.acquired) {
        expect(other.current.holder).toBe(lease.holder);
        expect(other.current.token).toBe(lease.token);
        expect(other.current.live).toBe(true);
      }
    });

    it('is re-entrant for the holder: the token is replaced', async () => {
      const backend = await env.open();
      const lease = request(randomId('worker'));
      await backend.acquireLease(lease, 10_000);
      const again = await backend.acquireLease({ ...lease, token: randomId('token-2') }, 10_000);
      expect(again.acquired).toBe(true);
      const read = await backend.readLease(lease.key);
      expect(read?.token).not.toBe(lease.token);
      await expect(backend.renewLease(lease.key, lease.holder, lease.token, 10_000)).resolves.toBe(
        false,
      );
    });

    it('renews only for the holder with the current token, extending the expiry', async () => {
      const backend = await env.open();
      const lease = request(randomId('worker'));
      await backend.acquireLease(lease, 2_000);
      const first = await backend.readLease(lease.key);
      await expect(backend.renewLease(lease.key, lease.holder, lease.token, 60_000)).resolves.toBe(
        true,
      );
      const renewed = await backend.readLease(lease.key);
      expect(renewed!.expiresAt).toBeGreaterThan(first!.expiresAt);
      await expect(
        backend.renewLease(lease.key, randomId('other'), lease.token, 60_000),
      ).resolves.toBe(false);
      await expect(
        backend.renewLease(lease.key, lease.holder, randomId('stale'), 60_000),
      ).resolves.toBe(false);
      await expect(
        backend.renewLease(randomId('key'), lease.holder, lease.token, 60_000),
      ).resolves.toBe(false);
    });

    it('releases only for the holder with the current token; then another worker acquires', async () => {
      const [a, b] = [await env.open(), await env.open()];
      const lease = request(randomId('worker-a'));
      await a.acquireLease(lease, 60_000);
      await a.releaseLease(lease.key, lease.holder, randomId('stale'));
      await b.releaseLease(lease.key, randomId('worker-b'), lease.token);
      expect((await b.readLease(lease.key))?.holder).toBe(lease.holder);
      await a.releaseLease(lease.key, lease.holder, lease.token);
      await expect(b.readLease(lease.key)).resolves.toBeUndefined();
      const taken = await b.acquireLease({ ...lease, holder: randomId('worker-b') }, 60_000);
      expect(taken.acquired).toBe(true);
    });

    it('expires: read as not live, then acquirable by another worker', async () => {
      const [a, b] = [await env.open(), await env.open()];
      const lease = request(randomId('worker-a'));
      await a.acquireLease(lease, 150);
      await waitFor(
        async () => (await b.readLease(lease.key))?.live === false,
        'the lease to expire',
      );
      expect((await b.readLease(lease.key))?.holder).toBe(lease.holder);
      const taken = await b.acquireLease({ ...lease, holder: randomId('worker-b') }, 60_000);
      expect(taken.acquired).toBe(true);
      await expect(a.renewLease(lease.key, lease.holder, lease.token, 60_000)).resolves.toBe(false);
    });

    it('an expired lease is claimed by exactly one of several concurrent sweepers', async () => {
      const backends = await Promise.all([1, 2, 3, 4, 5].map(() => env.open()));
      const leases = [1, 2, 3].map(() => request(randomId('worker-dead')));
      for (const lease of leases) await backends[0]!.acquireLease(lease, 100);
      await waitFor(async () => {
        const reads = await Promise.all(leases.map((l) => backends[0]!.readLease(l.key)));
        return reads.every((read) => read?.live === false);
      }, 'the leases to expire');
      const sweepers = backends.map(() => ({ holder: randomId('sweeper'), token: randomId('t') }));
      const claims = await Promise.all(
        backends.map((backend, i) =>
          backend.claimExpiredLeases(sweepers[i]!.holder, sweepers[i]!.token, 60_000, 1000),
        ),
      );
      const ours = new Set(leases.map((l) => l.key));
      const claimed = claims.flat().filter((record) => ours.has(record.key));
      expect(claimed.map((record) => record.key).sort()).toEqual([...ours].sort());
      for (const record of claimed) {
        const original = leases.find((l) => l.key === record.key)!;
        // Returned as it was before the takeover, so the sweeper knows whose work died.
        expect(record).toMatchObject({
          holder: original.holder,
          token: original.token,
          taskId: original.taskId,
          scope: original.scope,
        });
        const now = await backends[0]!.readLease(record.key);
        const winner = claims.findIndex((list) => list.some((r) => r.key === record.key));
        expect(now).toMatchObject({
          holder: sweepers[winner]!.holder,
          token: sweepers[winner]!.token,
          live: true,
        });
      }
    });

    it('claims nothing that is live, and respects the limit', async () => {
      const backend = await env.open();
      const live = request(randomId('worker'));
      await backend.acquireLease(live, 60_000);
      const claimed = await backend.claimExpiredLeases(
        randomId('sweeper'),
        randomId('t'),
        60_000,
        1000,
      );
      expect(claimed.some((record) => record.key === live.key)).toBe(false);
      const expired = [1, 2, 3].map(() => request(randomId('dead')));
      for (const lease of expired) await backend.acquireLease(lease, 50);
      await waitFor(
        async () => (await backend.readLease(expired[2]!.key))?.live === false,
        'expiry',
      );
      const one = await backend.claimExpiredLeases(randomId('sweeper'), randomId('t'), 60_000, 1);
      expect(one.length).toBe(1);
    });
  });
}
