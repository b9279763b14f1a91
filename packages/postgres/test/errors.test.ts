import { createServer } from 'node:net';
import { TaskState } from '@a2a-js/sdk';
import {
  InvalidInputError,
  PayloadTooLargeError,
  StoreClosedError,
  StoreUnavailableError,
} from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  listRequest,
  makePushConfig,
  makeTask,
  randomScope,
  rejectionOf,
} from '@a2a-stores/core/conformance';
import { freePort, waitFor } from '@a2a-stores/test-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStores,
  type PostgresStoreBundle,
  resolvePostgresNames,
} from '../src/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

let pool: pg.Pool;
let stores: PostgresStoreBundle;
const schema = randomSchema('errors');

beforeAll(async () => {
  pool = await testPool(4);
  stores = storesOn(pool, { schema });
  await stores.migrate();
});

afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

/** Stores whose pool points at a port where nothing listens. */
async function unreachableStores(): Promise<PostgresStoreBundle> {
  const port = await freePort();
  return createPostgresStores(
    { connectionString: `postgres://postgres@127.0.0.1:${port}/test`, poolConfig: { max: 2 } },
    { schema, pushUrlCheck: conformancePushUrlCheck() },
  );
}

/** A random CJK string: UTF-8 3 bytes per character, and nothing for compression to fold. */
function cjk(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++)
    out += String.fromCodePoint(0x4e00 + Math.floor(Math.random() * 0x5000));
  return out;
}

describe('connection failures', () => {
  it('turn into StoreUnavailableError on every kind of call', async () => {
    const dead = await unreachableStores();
    const ctx = callContext(randomScope());
    try {
      // Each call gets its handler as it starts: created first and awaited one by one, a call
      // rejecting before its turn would be an unhandled rejection that fails the whole run.
      const calls: (() => Promise<unknown>)[] = [
        () => dead.taskStore.load('t', ctx),
        () => dead.taskStore.save(makeTask(), ctx),
        () => dead.taskStore.list(listRequest(), ctx),
        () => dead.taskStore.delete('t', ctx),
        () => dead.pushNotificationStore.load('t', ctx),
        () => dead.pushNotificationStore.save('t', ctx, makePushConfig('t')),
        () => dead.migrate(),
      ];
      const errors = await Promise.all(calls.map((call) => rejectionOf(call())));
      for (const error of errors) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
        // Messages reach clients: the driver's text (host, port) stays in `cause`.
        expect((error as Error).message).not.toMatch(/127\.0\.0\.1|localhost|:\d{2,5}\b/);
      }
    } finally {
      await dead.close();
    }
  });

  it('a connection that never answers times out into StoreUnavailableError', async () => {
    // Accepts TCP connections and never speaks: only the connect timeout can end the wait.
    const silent = createServer(() => {});
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const mute = createPostgresStores(
      {
        connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
        poolConfig: { connectionTimeoutMillis: 300 },
      },
      { schema, pushUrlCheck: conformancePushUrlCheck() },
    );
    try {
      const error = await rejectionOf(mute.taskStore.load('t', callContext(randomScope())));
      expect(error).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await mute.close();
      silent.close();
    }
  });

  it('a backend terminated mid-call is a typed error, and the next call works', async () => {
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    const names = resolvePostgresNames({ schema });
    const blocker = await pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${names.tasks} WHERE id = $1 FOR UPDATE`, [task.id]);
      // The save and its killer are joined at once: had the save settled early, its outcome
      // would be handled, not an unhandled rejection.
      const terminateWaitingSave = async () => {
        let victim: number | undefined;
        await waitFor('the save to wait on the row lock', async () => {
          const { rows } = await pool.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%put_task%'`,
          );
          victim = rows[0]?.pid;
          return victim !== undefined;
        });
        await pool.query('SELECT pg_terminate_backend($1)', [victim]);
      };
      const [error] = await Promise.all([
        rejectionOf(stores.taskStore.save(task, ctx)),
        terminateWaitingSave(),
      ]);
      expect(error).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    expect((await stores.taskStore.loadVersioned(task.id, ctx))?.version).toBe(1);
  });

  it('a lock wait cut short by the server (lock_timeout) is a typed, retryable error', async () => {
    const ctx = callContext(randomScope());
    const task = makeTask();
    await stores.taskStore.save(task, ctx);
    const blocker = await pool.connect();
    const impatientPool = await testPool(1);
    const impatient = storesOn(impatientPool, { schema });
    try {
      await blocker.query('BEGIN');
      const names = resolvePostgresNames({ schema });
      await blocker.query(`SELECT 1 FROM ${names.tasks} WHERE id = $1 FOR UPDATE`, [task.id]);
      // The pool has one connection, so the store's calls run in this session.
      const session = await impatientPool.connect();
      await session.query("SET lock_timeout = '100ms'");
      session.release();
      const error = await rejectionOf(impatient.taskStore.save(task, ctx));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain('55P03');
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
      await impatientPool.end();
    }
  });

  it('a write refused by a read-only server (SQLSTATE 25006) is a typed, retryable error', async () => {
    const ctx = callContext(randomScope());
    const task = makeTask();
    const readOnlyPool = await testPool(1);
    const readOnly = storesOn(readOnlyPool, { schema });
    try {
      // The pool has one connection: this session answers writes as a standby does.
      const session = await readOnlyPool.connect();
      await session.query('SET default_transaction_read_only = on');
      session.release();
      const error = await rejectionOf(readOnly.taskStore.save(task, ctx));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain('25006');
      expect((error as Error).message).toContain('may be retried');
      // Reads still work there, and nothing was written.
      expect(await readOnly.taskStore.load(task.id, ctx)).toBeUndefined();
    } finally {
      await readOnlyPool.end();
    }
  });
});

describe('bad input is refused before any query', () => {
  // The unreachable store proves it: a query would fail with StoreUnavailableError instead.
  it('over-long, empty and NUL ids', async () => {
    const dead = await unreachableStores();
    const ctx = callContext(randomScope());
    try {
      for (const id of ['x'.repeat(256), '', 'a\u0000b']) {
        await expect(dead.taskStore.load(id, ctx)).rejects.toBeInstanceOf(InvalidInputError);
        await expect(dead.taskStore.save(makeTask({ id }), ctx)).rejects.toBeInstanceOf(
          InvalidInputError,
        );
        await expect(dead.taskStore.delete(id, ctx)).rejects.toBeInstanceOf(InvalidInputError);
        await expect(dead.pushNotificationStore.load(id, ctx)).rejects.toBeInstanceOf(
          InvalidInputError,
        );
      }
    } finally {
      await dead.close();
    }
  });

  it('garbage page tokens and out-of-range page sizes', async () => {
    const dead = await unreachableStores();
    const ctx = callContext(randomScope());
    try {
      await expect(
        dead.taskStore.list(listRequest({ pageToken: 'not-a-token!' }), ctx),
      ).rejects.toBeInstanceOf(InvalidInputError);
      await expect(dead.taskStore.list(listRequest({ pageSize: 101 }), ctx)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    } finally {
      await dead.close();
    }
  });

  it('oversize tasks and push configs', async () => {
    const dead = createPostgresStores(
      { connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/test` },
      {
        schema,
        limits: { maxTaskBytes: 2048, maxPushConfigBytes: 512 },
        pushUrlCheck: conformancePushUrlCheck(),
      },
    );
    const ctx = callContext(randomScope());
    try {
      await expect(
        dead.taskStore.save(makeTask({ historyLength: 50 }), ctx),
      ).rejects.toBeInstanceOf(PayloadTooLargeError);
      const config = makePushConfig('t', { token: 'x'.repeat(600) });
      await expect(dead.pushNotificationStore.save('t', ctx, config)).rejects.toBeInstanceOf(
        PayloadTooLargeError,
      );
    } finally {
      await dead.close();
    }
  });
});

describe('keys PostgreSQL cannot index', () => {
  it('fail with InvalidInputError and store nothing', async () => {
    const scope = { tenant: cjk(255), owner: cjk(255) };
    const ctx = callContext(scope);
    const task = makeTask({
      id: cjk(255),
      contextId: cjk(255),
      state: TaskState.TASK_STATE_WORKING,
    });
    const error = await rejectionOf(stores.taskStore.save(task, ctx));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(await stores.taskStore.load(task.id, ctx)).toBeUndefined();
    expect((await stores.taskStore.list(listRequest(), ctx)).totalSize).toBe(0);
  });
});

describe('close()', () => {
  it('ends a pool the stores created, and later calls throw StoreClosedError', async () => {
    const { rows } = await pool.query<{ port: string }>("SELECT current_setting('port') AS port");
    const own = createPostgresStores(
      { connectionString: `postgres://postgres@127.0.0.1:${rows[0]!.port}/test` },
      { schema, pushUrlCheck: conformancePushUrlCheck() },
    );
    const ctx = callContext(randomScope());
    await own.taskStore.save(makeTask({ id: 'before-close' }), ctx);
    await own.close();
    await own.close();
    await expect(own.taskStore.load('before-close', ctx)).rejects.toBeInstanceOf(StoreClosedError);
    await expect(own.migrate()).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('leaves a pool it was given open', async () => {
    const given = await testPool(1);
    const bundle = storesOn(given, { schema });
    await bundle.close();
    await expect(bundle.taskStore.load('x', callContext(randomScope()))).rejects.toBeInstanceOf(
      StoreClosedError,
    );
    expect((await given.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await given.end();
  });
});
