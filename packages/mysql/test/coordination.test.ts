import {
  type ChannelState,
  type LeaseRequest,
  type PollingCoordination,
  StoreClosedError,
} from '@a2a-stores/core';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlCoordination, createMysqlStores, tableNames } from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

/** Re-checks `probe` every 5 ms until it holds; fails after `timeoutMs`. */
async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function lease(key: string, holder: string, token = `${holder}-1`): LeaseRequest {
  return { key, scope: { tenant: 'acme', owner: 'alice' }, taskId: `task-${key}`, holder, token };
}

/** Now in epoch ms, for rows written behind the backend's back (retention must keep them). */
const NOW = 'CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)';

let url: string;
let admin: Pool;
const prefix = randomPrefix();
const t = tableNames(prefix);
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  url = (await resolveTestBackend('mysql')).url;
  admin = createPool({ uri: url, connectionLimit: 4 });
  await createMysqlStores({ pool: admin }, { tablePrefix: prefix }).migrate();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await dropTables(admin, prefix);
  await admin.end();
});

/** A worker: its own pool (as a separate process would have) and coordination. */
function worker(options: Parameters<typeof createMysqlCoordination>[1] = {}): PollingCoordination {
  const coordination = createMysqlCoordination(
    { uri: url, poolOptions: { connectionLimit: 3 } },
    { tablePrefix: prefix, pollIntervalMs: 10, ...options },
  );
  cleanups.push(() => coordination.close());
  return coordination;
}

function collect(coordination: PollingCoordination, channel: string) {
  const received: string[] = [];
  return { received, stop: coordination.subscribe(channel, (m) => received.push(m)) };
}

let keys = 0;
/** A lease key no other test uses (the tables are shared by the whole file). */
function key(): string {
  keys += 1;
  return `${prefix}k${keys}`;
}

describe('MySQL coordination: leases', () => {
  it('gives a live lease to one worker; the other sees who holds it', async () => {
    const [a, b] = [worker(), worker()];
    const k = key();
    const first = await a.acquireLease(lease(k, 'worker-a'), 30_000);
    expect(first.acquired).toBe(true);
    const second = await b.acquireLease(lease(k, 'worker-b'), 30_000);
    expect(second).toMatchObject({
      acquired: false,
      current: {
        key: k,
        holder: 'worker-a',
        token: 'worker-a-1',
        taskId: `task-${k}`,
        scope: { tenant: 'acme', owner: 'alice' },
        live: true,
      },
    });
    if (first.acquired && !second.acquired) expect(second.current.expiresAt).toBe(first.expiresAt);
  });

  it('lets exactly one of 5 workers racing for a free key take it', async () => {
    const workers = Array.from({ length: 5 }, () => worker());
    const k = key();
    const results = await Promise.all(
      workers.map((w, i) => w.acquireLease(lease(k, `w${i}`), 30_000)),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const holder = (await workers[0]?.readLease(k))?.holder;
    results.forEach((r, i) => {
      expect(r.acquired).toBe(holder === `w${i}`);
    });
  });

  it('is re-entrant for its holder, and the replaced token no longer renews or releases', async () => {
    const [a, b] = [worker(), worker()];
    const k = key();
    await a.acquireLease(lease(k, 'worker-a', 'old'), 30_000);
    expect((await a.acquireLease(lease(k, 'worker-a', 'new'), 30_000)).acquired).toBe(true);
    expect(await b.renewLease(k, 'worker-a', 'old', 30_000)).toBe(false);
    await b.releaseLease(k, 'worker-a', 'old');
    expect((await b.readLease(k))?.token).toBe('new');
    expect(await a.renewLease(k, 'worker-a', 'new', 60_000)).toBe(true);
    await a.releaseLease(k, 'worker-a', 'new');
    expect(await b.readLease(k)).toBeUndefined();
  });

  it('lets another worker take a lease once it expired on the database clock', async () => {
    const [a, b] = [worker(), worker()];
    const k = key();
    // Long enough that b's first try lands while the lease is live even on a loaded machine
    // (100 ms did not); the wait after it follows the lease's observed state, not a sleep.
    const leaseMs = 2_000;
    expect((await a.acquireLease(lease(k, 'worker-a'), leaseMs)).acquired).toBe(true);
    expect((await b.acquireLease(lease(k, 'worker-b'), 30_000)).acquired).toBe(false);
    expect(await b.readLease(k)).toMatchObject({ holder: 'worker-a' });
    await until(
      'the lease to expire',
      async () => (await b.readLease(k))?.live === false,
      leaseMs + 10_000,
    );
    expect((await b.acquireLease(lease(k, 'worker-b'), 30_000)).acquired).toBe(true);
    expect(await a.renewLease(k, 'worker-a', 'worker-a-1', 30_000)).toBe(false);
  });

  it('hands each expired lease to exactly one of 5 concurrent sweepers', async () => {
    const sweepers = Array.from({ length: 5 }, () => worker());
    const a = sweepers[0] as PollingCoordination;
    // Leases other tests left behind are expired too: count only this test's.
    const mine = Array.from({ length: 60 }, () => key());
    for (const k of mine) await a.acquireLease(lease(k, 'gone'), 1);
    const alive = key();
    await a.acquireLease(lease(alive, 'worker-a'), 30_000);
    await until(
      'the leases to expire',
      async () => (await a.readLease(mine.at(-1) as string))?.live === false,
    );
    const claimed = await Promise.all(
      sweepers.map(async (sweeper, i) => {
        const keys: string[] = [];
        for (;;) {
          const batch = await sweeper.claimExpiredLeases(`s${i}`, `s${i}-t`, 30_000, 4);
          if (batch.length === 0) return keys;
          for (const record of batch) expect(record.live).toBe(false);
          keys.push(...batch.map((record) => record.key));
        }
      }),
    );
    const ofMine = claimed.flat().filter((k) => mine.includes(k));
    expect(ofMine.sort()).toEqual([...mine].sort());
    expect(new Set(claimed.flat()).size).toBe(claimed.flat().length);
    expect((await a.readLease(alive))?.holder).toBe('worker-a');
    expect((await a.readLease(mine[0] as string))?.live).toBe(true);
  });
});

describe('MySQL coordination: messages', () => {
  it('delivers 200 messages in publish order to a subscriber on another worker', async () => {
    const [a, b] = [worker(), worker()];
    const { received, stop } = collect(b, 'events');
    await stop;
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((m) => a.publish('events', m)));
    await until('200 messages', () => received.length >= 200);
    expect(received).toEqual(sent);
  });

  it('gets a 1 MiB message through intact', async () => {
    const [a, b] = [worker(), worker()];
    const { received, stop } = collect(b, 'big');
    await stop;
    const big = `${'é'.repeat(512 * 1024 - 1)}!`;
    await a.publish('big', big);
    await until('the big message', () => received.length === 1);
    expect(received[0]).toBe(big);
  });

  it('delivers nothing across channels and nothing published before subscribe', async () => {
    const [a, b] = [worker(), worker()];
    await a.publish('one', 'before');
    const one = collect(b, 'one');
    const two = collect(b, 'two');
    await Promise.all([one.stop, two.stop]);
    await a.publish('two', 'for-two');
    await a.publish('one', 'for-one');
    await until('both channels', () => one.received.length === 1 && two.received.length === 1);
    expect(one.received).toEqual(['for-one']);
    expect(two.received).toEqual(['for-two']);
  });

  it('delivers a row whose lower AUTO_INCREMENT id commits after a higher one, once', async () => {
    const [a, b] = [worker(), worker({ gapWaitMs: 30_000 })];
    const { received, stop } = collect(b, 'race');
    await stop;
    const slow = await admin.getConnection();
    try {
      await slow.beginTransaction();
      // Takes an id now, commits later: the id sequence has a hole meanwhile.
      const [inserted] = await slow.execute<ResultSetHeader>(
        `INSERT INTO ${t.messages} (channel, created_at, payload) VALUES ('race', ${NOW}, 'late')`,
      );
      await a.publish('race', 'early');
      await until('the early message', () => received.length === 1);
      await slow.commit();
      await until('the late message', () => received.length === 2);
      expect(received).toEqual(['early', 'late']);
      const [rows] = await admin.query<RowDataPacket[]>(
        `SELECT id FROM ${t.messages} WHERE channel = 'race' ORDER BY id`,
      );
      expect(Number(rows[0]?.id)).toBe(inserted.insertId);
      // Later polls re-read the tail until the hole closes: nothing is delivered twice.
      await a.publish('race', 'marker');
      await until('the marker', () => received.length === 3);
      expect(received).toEqual(['early', 'late', 'marker']);
    } finally {
      slow.release();
    }
  });

  it('stops a listener on unsubscribe, leaving the other listeners of the channel', async () => {
    const [a, b] = [worker(), worker()];
    const first = collect(b, 'c');
    const second = collect(b, 'c');
    const stopFirst = await first.stop;
    await second.stop;
    await a.publish('c', 'both');
    await until('both', () => first.received.length === 1 && second.received.length === 1);
    await stopFirst();
    await a.publish('c', 'second only');
    await until('the second listener', () => second.received.length === 2);
    expect(first.received).toEqual(['both']);
  });

  it('reports a failing poll as down, the next good one as up, and loses nothing meanwhile', async () => {
    const [a, b] = [worker(), worker()];
    const states: ChannelState[] = [];
    b.onChannelState((state) => states.push(state));
    const { received, stop } = collect(b, 'x');
    await stop;
    const away = `\`${prefix}messages_away\``;
    await admin.query(`RENAME TABLE ${t.messages} TO ${away}`);
    try {
      await until('down', () => states.includes('down'));
      await admin.query(
        `INSERT INTO ${away} (channel, created_at, payload) VALUES ('x', ${NOW}, 'during')`,
      );
    } finally {
      await admin.query(`RENAME TABLE ${away} TO ${t.messages}`);
    }
    await until('up', () => states.at(-1) === 'up');
    await a.publish('x', 'after');
    await until('both messages', () => received.length === 2);
    expect(received).toEqual(['during', 'after']);
    expect(states).toEqual(['down', 'up']);
  });

  it('deletes messages older than the retention on the database clock, newer ones kept', async () => {
    const cleaner = worker({
      retentionMs: 5000,
      gapWaitMs: 0,
      cleanupIntervalMs: 10,
      cleanupBatchSize: 7,
    });
    await admin.query(
      `INSERT INTO ${t.messages} (channel, created_at, payload)
       SELECT 'old', 0, CONCAT('m', seq) FROM seq_1_to_30`,
    );
    const count = async (channel: string) => {
      const [rows] = await admin.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${t.messages} WHERE channel = ?`,
        [channel],
      );
      return Number(rows[0]?.n);
    };
    expect(await count('old')).toBe(30);
    await cleaner.publish('fresh', 'kept');
    await until('old messages to go', async () => (await count('old')) === 0);
    expect(await count('fresh')).toBe(1);
  });

  it('refuses calls after close and ends the pool it created', async () => {
    const a = worker();
    await a.close();
    await expect(a.publish('c', 'm')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(a.subscribe('c', () => undefined)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(a.readLease('k')).rejects.toBeInstanceOf(StoreClosedError);
    // A pool the caller passed stays open.
    const shared = createMysqlCoordination({ pool: admin }, { tablePrefix: prefix });
    await shared.close();
    const [rows] = await admin.query<RowDataPacket[]>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  });
});
