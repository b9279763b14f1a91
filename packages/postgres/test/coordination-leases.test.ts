import type { LeaseRequest } from '@a2a-stores/core';
import { InvalidInputError, SchemaNotMigratedError } from '@a2a-stores/core';
import { randomId, randomScope, rejectionOf } from '@a2a-stores/core/conformance';
import { waitFor } from '@a2a-stores/test-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresCoordination } from '../src/index.js';
import { coordinationOn, DELIVERY_TIMEOUT_MS } from './coordination-support.js';
import { dropSchema, randomSchema, testPool } from './support.js';

// Two pools, two backends: two workers on one database.
let poolA: pg.Pool;
let poolB: pg.Pool;
let schema: string;
let a: PostgresCoordination;
let b: PostgresCoordination;

beforeAll(async () => {
  poolA = await testPool(8);
  poolB = await testPool(8);
  schema = randomSchema('lease');
  a = coordinationOn(poolA, schema);
  b = coordinationOn(poolB, schema);
  await a.migrate();
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await dropSchema(poolA, schema);
  await poolA.end();
  await poolB.end();
});

function request(holder: string, extra: Partial<LeaseRequest> = {}): LeaseRequest {
  return {
    key: `k-${randomId()}`,
    scope: randomScope(),
    taskId: `t-${randomId()}`,
    holder,
    token: randomId(),
    ...extra,
  };
}

async function expired(backend: PostgresCoordination, key: string): Promise<void> {
  await waitFor(
    `lease ${key} to expire`,
    async () => (await backend.readLease(key))?.live === false,
    DELIVERY_TIMEOUT_MS,
  );
}

describe('PostgreSQL leases across two workers', () => {
  it('gives a free lease to the first worker and shows it to the second as live', async () => {
    const mine = request('worker-a');
    const got = await a.acquireLease(mine, 30_000);
    expect(got.acquired).toBe(true);
    const theirs = await b.acquireLease({ ...mine, holder: 'worker-b', token: randomId() }, 30_000);
    expect(theirs.acquired).toBe(false);
    if (theirs.acquired) return;
    expect(theirs.current).toMatchObject({
      key: mine.key,
      scope: mine.scope,
      taskId: mine.taskId,
      holder: 'worker-a',
      token: mine.token,
      live: true,
    });
    if (got.acquired) expect(theirs.current.expiresAt).toBe(got.expiresAt);
    expect(await b.readLease(mine.key)).toEqual(theirs.current);
  });

  it('lets the holder re-acquire with a new token, which fences the old one', async () => {
    const first = request('worker-a');
    await a.acquireLease(first, 30_000);
    const second = { ...first, token: randomId() };
    expect((await a.acquireLease(second, 30_000)).acquired).toBe(true);
    expect((await b.readLease(first.key))?.token).toBe(second.token);
    expect(await a.renewLease(first.key, 'worker-a', first.token, 30_000)).toBe(false);
    expect(await a.renewLease(first.key, 'worker-a', second.token, 30_000)).toBe(true);
    // Releasing with the stale token leaves the execution's lease in place.
    await a.releaseLease(first.key, 'worker-a', first.token);
    expect((await b.readLease(first.key))?.token).toBe(second.token);
  });

  it('renews and releases only for the holder with its token', async () => {
    const lease = request('worker-a');
    const got = await a.acquireLease(lease, 5_000);
    expect(await b.renewLease(lease.key, 'worker-b', lease.token, 60_000)).toBe(false);
    await b.releaseLease(lease.key, 'worker-b', lease.token);
    expect((await b.readLease(lease.key))?.holder).toBe('worker-a');
    expect(await a.renewLease(lease.key, 'worker-a', lease.token, 60_000)).toBe(true);
    const renewed = await b.readLease(lease.key);
    if (got.acquired) expect(renewed?.expiresAt).toBeGreaterThan(got.expiresAt);
    await a.releaseLease(lease.key, 'worker-a', lease.token);
    expect(await b.readLease(lease.key)).toBeUndefined();
    expect((await b.acquireLease({ ...lease, holder: 'worker-b' }, 5_000)).acquired).toBe(true);
    // Idempotent: releasing again changes nothing.
    await a.releaseLease(lease.key, 'worker-a', lease.token);
    expect((await a.readLease(lease.key))?.holder).toBe('worker-b');
  });

  it('lets the holder extend an expired lease nobody took over yet', async () => {
    const lease = request('worker-a');
    await a.acquireLease(lease, 200);
    await expired(b, lease.key);
    expect(await a.renewLease(lease.key, 'worker-a', lease.token, 30_000)).toBe(true);
    expect(await b.readLease(lease.key)).toMatchObject({ holder: 'worker-a', live: true });
    expect(
      (await b.claimExpiredLeases('sweeper', 'tok', 30_000, 100)).map((l) => l.key),
    ).not.toContain(lease.key);
  });

  it('hands an expired lease to another worker, after which the old holder cannot renew it', async () => {
    const lease = request('worker-a');
    await a.acquireLease(lease, 200);
    await expired(b, lease.key);
    const takeover = { ...lease, holder: 'worker-b', token: randomId() };
    expect((await b.acquireLease(takeover, 30_000)).acquired).toBe(true);
    expect(await a.renewLease(lease.key, 'worker-a', lease.token, 30_000)).toBe(false);
    expect(await b.readLease(lease.key)).toMatchObject({ holder: 'worker-b', live: true });
    expect((await a.acquireLease({ ...lease, token: randomId() }, 30_000)).acquired).toBe(false);
  });

  it('lets exactly one of ten racing workers take a free lease', async () => {
    const base = request('w');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).acquireLease({ ...base, holder: `racer-${i}`, token: `tok-${i}` }, 30_000),
      ),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holder = (await a.readLease(base.key))?.holder;
    for (const result of results) {
      if (!result.acquired) expect(result.current.holder).toBe(holder);
    }
  });

  it('refuses malformed input with InvalidInputError before touching the database', async () => {
    const ok = request('worker-a');
    const calls: (() => Promise<unknown>)[] = [
      () => a.acquireLease(ok, 0),
      () => a.acquireLease(ok, 1.5),
      () => a.acquireLease({ ...ok, key: '' }, 1_000),
      () => a.acquireLease({ ...ok, holder: 'x\0y' }, 1_000),
      () => a.renewLease('k', 'h', 't', -1),
      () => a.readLease(''),
      () => a.claimExpiredLeases('h', 't', 1_000, 0),
      () => a.claimExpiredLeases('h', 't', 1_000, 1_000_000),
    ];
    const errors = await Promise.all(calls.map((call) => rejectionOf(call())));
    for (const error of errors) expect(error).toBeInstanceOf(InvalidInputError);
  });
});

describe('an unmigrated schema', () => {
  it('fails lease calls with SchemaNotMigratedError naming the coordination step', async () => {
    const bare = coordinationOn(poolA, randomSchema('bare'));
    try {
      const error = await rejectionOf(bare.acquireLease(request('worker-a'), 1_000));
      expect(error).toBeInstanceOf(SchemaNotMigratedError);
      expect((error as SchemaNotMigratedError).missing).toContain('0005_coordination');
    } finally {
      await bare.close();
    }
  });
});

describe('claimExpiredLeases with five concurrent sweepers', () => {
  it('returns each expired lease to exactly one sweeper, as it was before the takeover', async () => {
    // A schema of its own, so no other test's expired lease is in the way.
    const sweepSchema = randomSchema('sweep');
    const owner = coordinationOn(poolA, sweepSchema);
    await owner.migrate();
    const sweepers = Array.from({ length: 5 }, (_, i) =>
      coordinationOn(i % 2 ? poolA : poolB, sweepSchema),
    );
    try {
      const dead = Array.from({ length: 40 }, () => request('dead-worker'));
      await Promise.all(dead.map((lease) => owner.acquireLease(lease, 1)));
      const alive = request('live-worker');
      await owner.acquireLease(alive, 60_000);
      for (const lease of dead) await expired(owner, lease.key);

      const claims = await Promise.all(
        sweepers.map(async (sweeper, i) => {
          const mine = [];
          for (;;) {
            const batch = await sweeper.claimExpiredLeases(`sweeper-${i}`, `sweep-${i}`, 60_000, 3);
            if (batch.length === 0) return mine;
            mine.push(...batch.map((lease) => ({ lease, by: i })));
          }
        }),
      );
      const all = claims.flat();
      const keys = all.map((c) => c.lease.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect([...keys].sort()).toEqual(dead.map((l) => l.key).sort());
      const byKey = new Map(dead.map((l) => [l.key, l]));
      for (const { lease, by } of all) {
        const before = byKey.get(lease.key)!;
        expect(lease).toMatchObject({
          holder: 'dead-worker',
          token: before.token,
          scope: before.scope,
          taskId: before.taskId,
          live: false,
        });
        expect(await owner.readLease(lease.key)).toMatchObject({
          holder: `sweeper-${by}`,
          token: `sweep-${by}`,
          live: true,
        });
      }
      expect(await owner.readLease(alive.key)).toMatchObject({ holder: 'live-worker', live: true });
    } finally {
      for (const sweeper of sweepers) await sweeper.close();
      await owner.close();
      await dropSchema(poolA, sweepSchema);
    }
  });
});
