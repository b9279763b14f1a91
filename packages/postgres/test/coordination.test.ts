import { StoreClosedError } from '@a2a-stores/core';
import { randomId, rejectionOf } from '@a2a-stores/core/conformance';
import { resolveTestBackend, waitFor } from '@a2a-stores/test-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresCoordination,
  type PostgresCoordination,
  resolvePostgresNames,
} from '../src/index.js';
import {
  connectionsNamed,
  coordinationOn,
  DELIVERY_TIMEOUT_MS,
  inbox,
} from './coordination-support.js';
import { dropSchema, randomSchema, testPool } from './support.js';

// Two pools, two backends: worker A publishes, worker B (and A itself) subscribe.
let poolA: pg.Pool;
let poolB: pg.Pool;
let schema: string;
let a: PostgresCoordination;
let b: PostgresCoordination;

beforeAll(async () => {
  poolA = await testPool(6);
  poolB = await testPool(6);
  schema = randomSchema('coord');
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

/** Text of `bytes` UTF-8 bytes with multi-byte characters throughout, tagged by `tag`. */
function bigMessage(tag: string, bytes: number): string {
  const unit = 'é€😀a'; // 2 + 3 + 4 + 1 bytes
  const body = unit.repeat(Math.ceil(bytes / 10));
  return `${tag}|${body}`;
}

async function spilledRows(): Promise<number> {
  const { spill } = resolvePostgresNames({ schema });
  const { rows } = await poolA.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${spill}`);
  return rows[0]?.n ?? 0;
}

describe('PostgreSQL coordination channels across two workers', () => {
  it('delivers 200 messages in publish order to subscribers on both workers, inline and spilled mixed', async () => {
    const channel = `order-${randomId()}`;
    const remote = inbox();
    const local = inbox();
    const stopRemote = await b.subscribe(channel, remote.listener);
    const stopLocal = await a.subscribe(channel, local.listener);
    // Every 25th message is over NOTIFY's limit and goes through the spill table, and the
    // publishes are not awaited one by one: the backend itself must keep them in order.
    const sent = Array.from({ length: 200 }, (_, i) =>
      i % 25 === 7 ? bigMessage(`#${i}`, 12_000) : `#${i}|${'x'.repeat(i)}`,
    );
    await Promise.all(sent.map((message) => a.publish(channel, message)));
    await remote.until(200);
    await local.until(200);
    expect(remote.messages).toEqual(sent);
    expect(local.messages).toEqual(sent);
    await stopRemote();
    await stopLocal();
  });

  it('carries 10 KiB and 1 MiB messages intact through the spill table', async () => {
    const channel = `big-${randomId()}`;
    const received = inbox();
    const stop = await b.subscribe(channel, received.listener);
    const before = await spilledRows();
    const small = bigMessage('10k', 10 * 1024);
    const large = bigMessage('1m', 1024 * 1024);
    await a.publish(channel, small);
    await a.publish(channel, large);
    await received.until(2);
    expect(received.messages).toHaveLength(2);
    expect(received.messages[0]).toBe(small);
    expect(received.messages[1]).toBe(large);
    // They went through the table, not a NOTIFY that silently truncated or failed.
    expect(await spilledRows()).toBe(before + 2);
    // An unlogged table: no WAL flush per spilled message.
    const { rows } = await poolA.query<{ relpersistence: string }>(
      `SELECT c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = 'a2a_coord_spill'`,
      [schema],
    );
    expect(rows[0]?.relpersistence).toBe('u');
    await stop();
  });

  it('keeps the last inline message whole: a frame just under the limit is not spilled', async () => {
    const channel = `edge-${randomId()}`;
    const received = inbox();
    const stop = await b.subscribe(channel, received.listener);
    const before = await spilledRows();
    const justUnder = 'y'.repeat(7_900 - channel.length - 6);
    await a.publish(channel, justUnder);
    await received.until(1);
    expect(received.messages).toEqual([justUnder]);
    expect(await spilledRows()).toBe(before);
    await stop();
  });

  it('never delivers a message to another channel', async () => {
    const mine = `mine-${randomId()}`;
    const other = `other-${randomId()}`;
    const received = inbox();
    const stop = await b.subscribe(mine, received.listener);
    await a.publish(other, 'not for you');
    await a.publish(other, bigMessage('not for you either', 9_000));
    await a.publish(mine, 'for you');
    // Publish order is delivery order: had the others leaked, they would be here already.
    await received.until(1);
    expect(received.messages).toEqual(['for you']);
    await stop();
  });

  it('stops delivering after unsubscribe, idempotently, and keeps other subscriptions', async () => {
    const channel = `unsub-${randomId()}`;
    const gone = inbox();
    const kept = inbox();
    const stopGone = await b.subscribe(channel, gone.listener);
    await b.subscribe(channel, kept.listener);
    await a.publish(channel, 'one');
    await gone.until(1);
    await stopGone();
    await stopGone();
    await a.publish(channel, 'two');
    await kept.until(2);
    expect(gone.messages).toEqual(['one']);
    expect(kept.messages).toEqual(['one', 'two']);
  });

  it('does not hear another schema on the same database', async () => {
    const otherSchema = randomSchema('coord2');
    const other = coordinationOn(poolA, otherSchema);
    await other.migrate();
    try {
      const channel = `shared-${randomId()}`;
      const here = inbox();
      const there = inbox();
      await b.subscribe(channel, here.listener);
      await other.subscribe(channel, there.listener);
      await other.publish(channel, 'other schema');
      await a.publish(channel, 'this schema');
      await here.until(1);
      await there.until(1);
      expect(here.messages).toEqual(['this schema']);
      expect(there.messages).toEqual(['other schema']);
    } finally {
      await other.close();
      await dropSchema(poolA, otherSchema);
    }
  });

  it('deletes spilled rows older than a minute when it spills another, in bounded batches', async () => {
    const { spill } = resolvePostgresNames({ schema });
    await poolA.query(
      `INSERT INTO ${spill} (channel, payload, created_at)
       SELECT 'old', 'x', clock_timestamp() - interval '2 minutes' FROM generate_series(1, 150)`,
    );
    await a.publish(`spill-${randomId()}`, bigMessage('cleanup', 9_000));
    const old = async () =>
      (
        await poolA.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${spill} WHERE channel = 'old'`,
        )
      ).rows[0]?.n;
    expect(await old()).toBe(50);
    await a.publish(`spill-${randomId()}`, bigMessage('cleanup', 9_000));
    expect(await old()).toBe(0);
  });
});

describe('close()', () => {
  it('ends the LISTEN connection and the pool it created, and refuses calls afterwards', async () => {
    const url = (await resolveTestBackend('postgres')).url;
    const applicationName = `a2a-test-close-${randomId()}`;
    const backend = createPostgresCoordination({
      connectionString: url,
      schema,
      applicationName,
      logger: { warn: () => {} },
    });
    const received = inbox();
    await backend.subscribe(`c-${randomId()}`, received.listener);
    await backend.acquireLease(
      {
        key: `k-${randomId()}`,
        scope: { tenant: 't', owner: 'o' },
        taskId: 't1',
        holder: 'h',
        token: 'x',
      },
      5_000,
    );
    // The LISTEN connection plus at least one pooled connection.
    expect(await connectionsNamed(poolA, applicationName)).toBeGreaterThanOrEqual(2);
    await backend.close();
    await backend.close();
    await waitFor(
      'the backend connections to end',
      async () => (await connectionsNamed(poolA, applicationName)) === 0,
      DELIVERY_TIMEOUT_MS,
    );
    const after = await Promise.all([
      rejectionOf(backend.publish('c', 'm')),
      rejectionOf(backend.subscribe('c', () => {})),
      rejectionOf(backend.readLease('k')),
    ]);
    for (const error of after) expect(error).toBeInstanceOf(StoreClosedError);
  });

  it('ends its LISTEN connection but leaves a pool it was given open', async () => {
    const pool = await testPool(2);
    const applicationName = `a2a-test-given-${randomId()}`;
    const backend = coordinationOn(pool, schema, { applicationName });
    await backend.subscribe(`c-${randomId()}`, () => {});
    expect(await connectionsNamed(poolA, applicationName)).toBe(1);
    await backend.close();
    await waitFor(
      'the LISTEN connection to end',
      async () => (await connectionsNamed(poolA, applicationName)) === 0,
      DELIVERY_TIMEOUT_MS,
    );
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pool.end();
  });
});
