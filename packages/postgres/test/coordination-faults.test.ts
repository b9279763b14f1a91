import { type ChannelState, StoreUnavailableError } from '@a2a-stores/core';
import { randomId, rejectionOf, silentLogger } from '@a2a-stores/core/conformance';
import { type PostgresInstance, startPostgresInstance, waitFor } from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresCoordination, type PostgresCoordination } from '../src/index.js';
import { DELIVERY_TIMEOUT_MS, inbox } from './coordination-support.js';

/** Generous bound that only a hung call can exceed; no speed is being measured. */
const HANG_LIMIT_MS = 20_000;

async function rejectsWithoutHanging(promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still pending after ${HANG_LIMIT_MS} ms`)),
      HANG_LIMIT_MS,
    );
  });
  try {
    return await Promise.race([rejectionOf(promise), hung]);
  } finally {
    clearTimeout(timer);
  }
}

// A private server: these tests kill connections and the server itself.
let server: PostgresInstance;
let admin: pg.Pool;
let publisher: PostgresCoordination;
let subscriber: PostgresCoordination;
const states: ChannelState[] = [];
const listenName = `a2a-test-listen-${randomId()}`;

function backend(applicationName: string): PostgresCoordination {
  return createPostgresCoordination({
    connectionString: server.url,
    // The pool under its own name, so the LISTEN connection is the only one named applicationName.
    poolConfig: {
      max: 4,
      connectionTimeoutMillis: 3_000,
      application_name: `${applicationName}-pool`,
    },
    schema: 'faults',
    applicationName,
    logger: silentLogger(),
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
}

async function listenPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [listenName],
  );
  return rows.map((r) => r.pid);
}

beforeAll(async () => {
  server = await startPostgresInstance();
  admin = new pg.Pool({ connectionString: server.url, max: 1 });
  admin.on('error', () => {});
  publisher = backend(`a2a-test-pub-${randomId()}`);
  subscriber = backend(listenName);
  subscriber.onChannelState?.((state) => void states.push(state));
  await publisher.migrate();
}, 120_000);

afterAll(async () => {
  await publisher?.close();
  await subscriber?.close();
  await admin?.end();
  await server?.stop();
});

describe('the LISTEN connection killed with pg_terminate_backend', () => {
  it('reports down, reconnects, reports up, and delivers again on the same object', async () => {
    const channel = `fault-${randomId()}`;
    const received = inbox();
    await subscriber.subscribe(channel, received.listener);
    await publisher.publish(channel, 'before');
    await received.until(1);

    const pids = await listenPids();
    expect(pids).toHaveLength(1);
    const [pid] = pids;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(
      'the channel to report down then up',
      async () => states.join(',') === 'down,up',
      DELIVERY_TIMEOUT_MS,
    );
    // A new backend process listens now, not the killed one.
    const [next] = await listenPids();
    expect(next).toBeTypeOf('number');
    expect(next).not.toBe(pid);

    await publisher.publish(channel, 'after');
    await received.until(2);
    expect(received.messages).toEqual(['before', 'after']);
  });
});

describe('a PostgreSQL server that goes away and comes back', () => {
  it('rejects lease and channel calls with StoreUnavailableError, then recovers without a restart', async () => {
    const channel = `outage-${randomId()}`;
    const received = inbox();
    await subscriber.subscribe(channel, received.listener);
    states.length = 0;
    const lease = {
      key: `k-${randomId()}`,
      scope: { tenant: 't', owner: 'o' },
      taskId: 'task',
      holder: 'worker-a',
      token: randomId(),
    };
    expect((await publisher.acquireLease(lease, 60_000)).acquired).toBe(true);

    await server.kill();
    await waitFor(
      'the channel to report down',
      async () => states.includes('down'),
      DELIVERY_TIMEOUT_MS,
    );
    const calls: (() => Promise<unknown>)[] = [
      () => publisher.acquireLease({ ...lease, holder: 'worker-b' }, 60_000),
      () => publisher.renewLease(lease.key, lease.holder, lease.token, 60_000),
      () => publisher.releaseLease(lease.key, lease.holder, lease.token),
      () => publisher.readLease(lease.key),
      () => publisher.claimExpiredLeases('sweeper', 'tok', 60_000, 10),
      () => publisher.publish(channel, 'lost'),
      () => subscriber.subscribe(`other-${randomId()}`, () => {}),
    ];
    const outcomes = await Promise.all(calls.map((call) => rejectsWithoutHanging(call())));
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(StoreUnavailableError);

    await server.restart();
    await waitFor('the channel to report up', async () => states.at(-1) === 'up', 30_000);
    // The lease survived the crash (it was committed), and the same objects serve again.
    expect(await publisher.readLease(lease.key)).toMatchObject({ holder: 'worker-a', live: true });
    await publisher.publish(channel, 'after restart');
    await received.until(1);
    expect(received.messages).toEqual(['after restart']);
  }, 120_000);
});
