import { join } from 'node:path';
import {
  type ChannelState,
  type LeaseRequest,
  type PollingCoordination,
  StoreClosedError,
} from '@a2a-stores/core';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteCoordination, createSqliteStores } from '../src/index.js';
import { startCoordinationChild } from './coordination-child.js';
import { assertBuilt } from './fork-worker.js';
import { makeTempDir } from './helpers.js';

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

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One migrated file and two workers on it, each with its own connection. */
async function twoWorkers(pollIntervalMs = 10) {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  const filename = join(dir, 'coordination.db');
  const stores = createSqliteStores({ filename });
  await stores.migrate();
  await stores.close();
  const a = createSqliteCoordination({ filename }, { pollIntervalMs });
  const b = createSqliteCoordination({ filename }, { pollIntervalMs });
  cleanups.push(
    () => a.close(),
    () => b.close(),
  );
  return { filename, a, b };
}

function collect(coordination: PollingCoordination, channel: string) {
  const received: string[] = [];
  return {
    received,
    stop: coordination.subscribe(channel, (message) => received.push(message)),
  };
}

describe('SQLite coordination: leases', () => {
  it('gives a live lease to one worker; the other sees who holds it', async () => {
    const { a, b } = await twoWorkers();
    const first = await a.acquireLease(lease('k1', 'worker-a'), 30_000);
    expect(first.acquired).toBe(true);
    const second = await b.acquireLease(lease('k1', 'worker-b'), 30_000);
    expect(second.acquired).toBe(false);
    if (second.acquired) return;
    expect(second.current).toMatchObject({
      key: 'k1',
      holder: 'worker-a',
      token: 'worker-a-1',
      taskId: 'task-k1',
      scope: { tenant: 'acme', owner: 'alice' },
      live: true,
    });
    if (first.acquired) expect(second.current.expiresAt).toBe(first.expiresAt);
  });

  it('is re-entrant for its holder, and the replaced token no longer renews or releases', async () => {
    const { a, b } = await twoWorkers();
    await a.acquireLease(lease('k2', 'worker-a', 'old'), 30_000);
    const again = await a.acquireLease(lease('k2', 'worker-a', 'new'), 30_000);
    expect(again.acquired).toBe(true);
    expect(await b.renewLease('k2', 'worker-a', 'old', 30_000)).toBe(false);
    await b.releaseLease('k2', 'worker-a', 'old');
    expect((await b.readLease('k2'))?.token).toBe('new');
    expect(await a.renewLease('k2', 'worker-a', 'new', 60_000)).toBe(true);
    await a.releaseLease('k2', 'worker-a', 'new');
    expect(await b.readLease('k2')).toBeUndefined();
    expect(await a.renewLease('k2', 'worker-a', 'new', 60_000)).toBe(false);
  });

  it('lets another worker take a lease once it expired', async () => {
    const { a, b } = await twoWorkers();
    const held = await a.acquireLease(lease('k3', 'worker-a'), 50);
    expect(held.acquired).toBe(true);
    await until('the lease to expire', async () => (await b.readLease('k3'))?.live === false);
    const taken = await b.acquireLease(lease('k3', 'worker-b'), 30_000);
    expect(taken.acquired).toBe(true);
    expect(await a.renewLease('k3', 'worker-a', 'worker-a-1', 30_000)).toBe(false);
    expect((await a.readLease('k3'))?.holder).toBe('worker-b');
  });

  it('claims each expired lease once across two connections, and never a live one', async () => {
    const { a, b } = await twoWorkers();
    for (let i = 0; i < 30; i++) await a.acquireLease(lease(`e${i}`, 'gone'), 1);
    await a.acquireLease(lease('alive', 'worker-a'), 30_000);
    await until('the leases to expire', async () => (await a.readLease('e29'))?.live === false);
    const claimed: string[][] = [[], []];
    for (;;) {
      const [fromA, fromB] = await Promise.all([
        a.claimExpiredLeases('worker-a', 'ta', 30_000, 4),
        b.claimExpiredLeases('worker-b', 'tb', 30_000, 4),
      ]);
      claimed[0]?.push(...fromA.map((l) => l.key));
      claimed[1]?.push(...fromB.map((l) => l.key));
      for (const record of [...fromA, ...fromB]) {
        expect(record).toMatchObject({ holder: 'gone', live: false });
      }
      if (fromA.length === 0 && fromB.length === 0) break;
    }
    const all = claimed.flat().sort();
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => `e${i}`).sort());
    expect(claimed[0]?.length).toBeGreaterThan(0);
    expect(claimed[1]?.length).toBeGreaterThan(0);
    expect((await b.readLease('e0'))?.live).toBe(true);
    expect((await b.readLease('alive'))?.holder).toBe('worker-a');
  });
});

describe('SQLite coordination: messages', () => {
  it('delivers 200 messages in publish order to a subscriber on the other connection', async () => {
    const { a, b } = await twoWorkers();
    const { received, stop } = collect(b, 'events');
    await stop;
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    // Not awaited one by one: the backend itself keeps one channel's publishes in order.
    await Promise.all(sent.map((message) => a.publish('events', message)));
    await until('200 messages', () => received.length >= 200);
    expect(received).toEqual(sent);
  });

  it('gets a 1 MiB message through intact', async () => {
    const { a, b } = await twoWorkers();
    const { received, stop } = collect(b, 'big');
    await stop;
    const big = `${'é'.repeat(512 * 1024 - 1)}!`;
    await a.publish('big', big);
    await until('the big message', () => received.length === 1);
    expect(received[0]).toBe(big);
  });

  it('delivers nothing across channels and nothing published before subscribe', async () => {
    const { a, b } = await twoWorkers();
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

  it('stops a listener on unsubscribe, leaving the other listeners of the channel', async () => {
    const { a, b } = await twoWorkers();
    const first = collect(b, 'c');
    const second = collect(b, 'c');
    const stopFirst = await first.stop;
    await second.stop;
    await a.publish('c', 'both');
    await until(
      'both listeners',
      () => first.received.length === 1 && second.received.length === 1,
    );
    await stopFirst();
    await stopFirst();
    await a.publish('c', 'second only');
    await until('the second listener', () => second.received.length === 2);
    // The poll that delivered to `second` ran after the unsubscribe: `first` was not called.
    expect(first.received).toEqual(['both']);
    expect(second.received).toEqual(['both', 'second only']);
  });

  it('reports a failing poll as down, the next good one as up, and loses nothing meanwhile', async () => {
    const { filename, a, b } = await twoWorkers();
    const states: ChannelState[] = [];
    b.onChannelState((state) => states.push(state));
    const { received, stop } = collect(b, 'x');
    await stop;
    const admin = new Database(filename);
    cleanups.push(() => admin.close());
    admin.exec('ALTER TABLE a2a_messages RENAME TO a2a_messages_away');
    await until('down', () => states.includes('down'));
    // Published while the readers fail: the row waits in the table.
    admin
      .prepare(`INSERT INTO a2a_messages_away (channel, created_at, payload) VALUES (?, ?, ?)`)
      .run('x', Date.now(), 'during');
    admin.exec('ALTER TABLE a2a_messages_away RENAME TO a2a_messages');
    await until('up', () => states.at(-1) === 'up');
    await a.publish('x', 'after');
    await until('both messages', () => received.length === 2);
    expect(received).toEqual(['during', 'after']);
    expect(states).toEqual(['down', 'up']);
  });

  it('deletes messages older than the retention in bounded batches, keeping newer ones', async () => {
    const { filename } = await twoWorkers();
    const retained = createSqliteCoordination(
      { filename },
      { retentionMs: 5000, gapWaitMs: 0, cleanupIntervalMs: 10, cleanupBatchSize: 7 },
    );
    cleanups.push(() => retained.close());
    const admin = new Database(filename);
    cleanups.push(() => admin.close());
    // 30 rows written a minute ago (by a worker long gone), more than 4 batches of 7.
    const old = admin.prepare(
      'INSERT INTO a2a_messages (channel, created_at, payload) VALUES (?, ?, ?)',
    );
    for (let i = 0; i < 30; i++) old.run('old', Date.now() - 60_000, `m${i}`);
    const count = () => admin.prepare('SELECT COUNT(*) FROM a2a_messages').pluck().get() as number;
    await retained.publish('new', 'fresh');
    await until('old messages to go', () => count() === 1);
    expect(admin.prepare('SELECT payload FROM a2a_messages').pluck().get()).toBe('fresh');
  });

  it('refuses calls after close and closes the file it opened', async () => {
    const { a } = await twoWorkers();
    await a.close();
    await a.close();
    await expect(a.publish('c', 'm')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(a.subscribe('c', () => undefined)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(a.readLease('k')).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('refuses a channel name it could not store, as a client error', async () => {
    const { a } = await twoWorkers();
    await expect(a.publish('', 'm')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(a.publish('x'.repeat(256), 'm')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => createSqliteCoordination({ filename: ':memory:' }, { pollIntervalMs: 0 })).toThrow(
      /pollIntervalMs/,
    );
  });
});

describe('SQLite coordination: a second OS process on the file', () => {
  beforeAll(assertBuilt);

  it('exchanges ordered messages, contends for leases, and recovers leases of a killed process', async () => {
    const { filename, a } = await twoWorkers();
    const child = await startCoordinationChild(filename);
    cleanups.push(() => {
      if (child.child.exitCode === null) child.child.kill('SIGKILL');
      return child.exited;
    });

    const { received, stop } = collect(a, 'from-child');
    await stop;
    await child.call('publish', { channel: 'from-child', count: 100 });
    await until('100 messages from the child', () => received.length >= 100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => `child-${i}`));

    // Expired leases swept by both processes at once: each claimed exactly once.
    for (let i = 0; i < 40; i++) await a.acquireLease(lease(`x${i}`, 'gone'), 1);
    await until('the leases to expire', async () => (await a.readLease('x39'))?.live === false);
    const sweepHere = async () => {
      const keys: string[] = [];
      for (;;) {
        const batch = await a.claimExpiredLeases('parent', 'p', 30_000, 3);
        if (batch.length === 0) return keys;
        keys.push(...batch.map((l) => l.key));
      }
    };
    const [childKeys, fromParent] = await Promise.all([
      child.call<string[]>('claim', { holder: 'child', limit: 3, ttlMs: 30_000 }),
      sweepHere(),
    ]);
    const all = [...fromParent, ...childKeys].filter((k) => k.startsWith('x')).sort();
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => `x${i}`).sort());

    const held = await child.call<{ acquired: boolean }>('acquire', {
      key: 'owned-by-child',
      holder: 'child',
      token: 'c1',
      ttlMs: 300,
    });
    expect(held.acquired).toBe(true);
    expect((await a.acquireLease(lease('owned-by-child', 'parent'), 30_000)).acquired).toBe(false);

    child.child.kill('SIGKILL');
    await child.exited;
    await until(
      'the dead process lease to expire',
      async () => (await a.readLease('owned-by-child'))?.live === false,
    );
    const recovered = await a.claimExpiredLeases('parent', 'p2', 30_000, 10);
    expect(recovered.map((l) => l.key)).toContain('owned-by-child');
    expect((await a.readLease('owned-by-child'))?.holder).toBe('parent');
  });
});
