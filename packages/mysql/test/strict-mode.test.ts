import type { Task } from '@a2a-js/sdk';
import {
  InvalidInputError,
  PayloadTooLargeError,
  ScopeResolutionError,
  StoreUnavailableError,
} from '@a2a-stores/core';
import {
  callContext,
  conformancePushUrlCheck,
  makeMessage,
  makePushConfig,
  makeTask,
  randomScope,
  textPart,
} from '@a2a-stores/core/conformance';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMysqlStores,
  MAX_WIRE_VERSION_LENGTH,
  type MysqlStores,
  SESSION_SQL_MODE,
  tableNames,
} from '../src/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const prefix = randomPrefix();
const t = tableNames(prefix);
let url: string;
let pool: Pool;
let owned: MysqlStores;

beforeAll(async () => {
  url = (await resolveTestBackend('mysql')).url;
  pool = createPool({ uri: url, connectionLimit: 4 });
  owned = createMysqlStores(
    { uri: url },
    { tablePrefix: prefix, pushUrlCheck: conformancePushUrlCheck() },
  );
  await owned.migrate();
});

afterAll(async () => {
  await owned.close();
  await dropTables(pool, prefix);
  await pool.end();
});

async function storedRows(tenant: string): Promise<number> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    `SELECT (SELECT COUNT(*) FROM ${t.tasks} WHERE tenant = ?) + (SELECT COUNT(*) FROM ${t.pushConfigs} WHERE tenant = ?) AS n`,
    [tenant, tenant],
  );
  return Number(rows[0]?.n);
}

/** A pool that counts what reaches the driver, so a test can prove nothing was sent. */
function countingPool(inner: Pool): { pool: Pool; calls: () => number } {
  let calls = 0;
  const counted = new Set(['execute', 'query', 'getConnection']);
  const proxy = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property === 'string' && counted.has(property) && typeof value === 'function') {
        return (...args: unknown[]) => {
          calls++;
          return value.apply(target, args);
        };
      }
      return value;
    },
  });
  return { pool: proxy, calls: () => calls };
}

function bigTask(bytes: number): Task {
  const task = makeTask({ historyLength: 0 });
  const chunk = 'é'.repeat(32 * 1024); // 64 KiB of UTF-8
  const messages = Math.ceil(bytes / (64 * 1024));
  for (let i = 0; i < messages; i++) {
    task.history.push(makeMessage(task.id, task.contextId, i, [textPart(chunk)]));
  }
  return task;
}

describe('strict SQL mode', () => {
  it('is set on every connection of a pool the stores create', async () => {
    const connections = await Promise.all([owned.pool.getConnection(), owned.pool.getConnection()]);
    try {
      for (const connection of connections) {
        const [rows] = await connection.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS mode');
        expect(String(rows[0]?.mode).split(',').sort()).toEqual(SESSION_SQL_MODE.split(',').sort());
      }
    } finally {
      for (const connection of connections) connection.release();
    }
  });

  it('is not what keeps data intact: a non-strict pool stores the widest keys exactly', async () => {
    const lax = createPool({ uri: url, connectionLimit: 2 });
    lax.pool.on('connection', (connection) => {
      connection.query("SET SESSION sql_mode = ''", () => undefined);
    });
    try {
      const stores = createMysqlStores({ pool: lax }, { tablePrefix: prefix });
      const scope = { tenant: randomScope().tenant, owner: '\u0800'.repeat(255) };
      const ctx = callContext(scope);
      const id = '\uffff'.repeat(255);
      await stores.taskStore.save(makeTask({ id, contextId: 'é'.repeat(255) }), ctx);
      expect((await stores.taskStore.load(id, ctx))?.contextId).toBe('é'.repeat(255));
      await expect(stores.taskStore.save(makeTask({ id: `${id}x` }), ctx)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      expect(await storedRows(scope.tenant)).toBe(1);
    } finally {
      await lax.end();
    }
  });
});

describe('bad input gets a typed error before any statement is sent', () => {
  const limits = { maxTaskBytes: 64 * 1024, maxPushConfigBytes: 4 * 1024 };
  const long = 'x'.repeat(256);

  it.each<
    [
      string,
      (stores: MysqlStores, scope: { tenant: string; owner: string }) => Promise<unknown>,
      unknown,
    ]
  >([
    [
      'an over-long task id',
      (s, sc) => s.taskStore.save(makeTask({ id: long }), callContext(sc)),
      InvalidInputError,
    ],
    [
      'an empty task id',
      (s, sc) => s.taskStore.save(makeTask({ id: '' }), callContext(sc)),
      InvalidInputError,
    ],
    [
      'a lone surrogate in an id',
      (s, sc) => s.taskStore.save(makeTask({ id: 'a\ud800' }), callContext(sc)),
      InvalidInputError,
    ],
    [
      'an over-long context id',
      (s, sc) => s.taskStore.save(makeTask({ contextId: long }), callContext(sc)),
      InvalidInputError,
    ],
    [
      'an oversize task',
      (s, sc) => s.taskStore.save(bigTask(128 * 1024), callContext(sc)),
      PayloadTooLargeError,
    ],
    [
      'an over-long id on load',
      (s, sc) => s.taskStore.load(long, callContext(sc)),
      InvalidInputError,
    ],
    [
      'an over-long id on delete',
      (s, sc) => s.taskStore.delete(long, callContext(sc)),
      InvalidInputError,
    ],
    [
      'an over-long tenant',
      (s, sc) => s.taskStore.save(makeTask(), callContext({ ...sc, tenant: long })),
      ScopeResolutionError,
    ],
    [
      // Would otherwise collide with any other tenant whose UTF-8 form is the same U+FFFD.
      'a lone surrogate in a tenant',
      (s, sc) => s.taskStore.save(makeTask(), callContext({ ...sc, tenant: `${sc.tenant}\ud800` })),
      ScopeResolutionError,
    ],
    [
      'an over-long push config id',
      (s, sc) =>
        s.pushNotificationStore.save('task', callContext(sc), makePushConfig('task', { id: long })),
      InvalidInputError,
    ],
    [
      'an oversize push config',
      (s, sc) =>
        s.pushNotificationStore.save(
          'task',
          callContext(sc),
          makePushConfig('task', { token: 'k'.repeat(8 * 1024) }),
        ),
      PayloadTooLargeError,
    ],
    [
      'an over-long wire version',
      (s, sc) =>
        s.pushNotificationStore.save(
          'task',
          callContext(sc, { requestedVersion: 'v'.repeat(MAX_WIRE_VERSION_LENGTH + 1) }),
          makePushConfig('task'),
        ),
      InvalidInputError,
    ],
  ])('%s', async (_label, call, errorClass) => {
    const counting = countingPool(pool);
    const stores = createMysqlStores(
      { pool: counting.pool },
      { tablePrefix: prefix, limits, pushUrlCheck: conformancePushUrlCheck() },
    );
    const scope = randomScope();
    // Warm up: the one-time schema check is the only statement allowed before the bad call.
    await stores.taskStore.load('warm-up', callContext(scope));
    const before = counting.calls();
    expect(before).toBeGreaterThan(0); // the proxy does see statements
    const error = await call(stores, scope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass as new (...args: never[]) => Error);
    expect(counting.calls()).toBe(before);
    expect(await storedRows(scope.tenant)).toBe(0);
  });
});

describe('max_allowed_packet and the size limit', () => {
  it('round-trips a task just under the default 4 MiB limit through a strict pool', async () => {
    const ctx = callContext(randomScope());
    const task = bigTask(4 * 1024 * 1024 - 128 * 1024);
    await owned.taskStore.save(task, ctx);
    const loaded = await owned.taskStore.load(task.id, ctx);
    expect(loaded?.history.length).toBe(task.history.length);
    expect(JSON.stringify(loaded?.history)).toBe(JSON.stringify(task.history));
  });

  it('refuses, with StoreUnavailableError naming the setting, a limit the server packet cannot carry', async () => {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS p');
    const maxPacket = Number(rows[0]?.p);
    const stores = createMysqlStores(
      { pool },
      { tablePrefix: prefix, limits: { maxTaskBytes: maxPacket } },
    );
    const migrateError = await stores.migrate().catch((e: unknown) => e);
    expect(migrateError).toBeInstanceOf(StoreUnavailableError);
    expect((migrateError as Error).message).toContain('max_allowed_packet');
    await expect(stores.taskStore.load('x', callContext(randomScope()))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('refuses a connection character set other than utf8mb4', async () => {
    const latin = createPool({ uri: url, connectionLimit: 1, charset: 'latin1_swedish_ci' });
    try {
      const stores = createMysqlStores({ pool: latin }, { tablePrefix: prefix });
      const error = await stores.taskStore
        .load('x', callContext(randomScope()))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain('utf8mb4');
    } finally {
      await latin.end();
    }
  });
});
