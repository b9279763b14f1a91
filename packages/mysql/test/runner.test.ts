import { StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorOf, rowsComeAsObjects } from '../src/executor.js';
import { tableNames } from '../src/options.js';
import { createSharedState, SqlRunner } from '../src/sql-runner.js';

function deadlock(): Error {
  return Object.assign(new Error('Deadlock found when trying to get lock'), {
    code: 'ER_LOCK_DEADLOCK',
    errno: 1213,
  });
}

/**
 * A pool stand-in whose `execute` fails with each of `failures` in turn, then returns `rows`.
 * It counts the statements it was asked to run.
 */
function scriptedPool(failures: unknown[], rows: object[]) {
  const queue = [...failures];
  const fake = {
    calls: 0,
    pool: { config: { connectionConfig: {} } },
    execute() {
      fake.calls++;
      const failure = queue.shift();
      return failure === undefined ? Promise.resolve([rows, []]) : Promise.reject(failure);
    },
  };
  return fake;
}

/** A runner over `target` whose schema check already passed (the steady path). */
function steadyRunner(target: { pool: unknown } | { connection: unknown }) {
  const pool = ('pool' in target ? target.pool : target.connection) as Pool;
  const shared = createSharedState(pool, tableNames('t_'), {
    maxTaskBytes: 1024,
    maxPushConfigBytes: 1024,
  });
  shared.gate.markReady();
  return { runner: new SqlRunner(target as { pool: Pool }, shared), shared };
}

describe('SqlRunner once the schema is known', () => {
  it('retries a deadlock victim of a single statement, then returns its rows', async () => {
    const pool = scriptedPool([deadlock(), deadlock()], [{ body: 'x' }]);
    const { runner } = steadyRunner({ pool });
    await expect(runner.select('load', 'SELECT 1', [])).resolves.toEqual([{ body: 'x' }]);
    expect(pool.calls).toBe(3);
  });

  it('retries work run through run() too, and gives up as StoreUnavailableError', async () => {
    const failures = Array.from({ length: 10 }, deadlock);
    const pool = scriptedPool(failures, []);
    const { runner } = steadyRunner({ pool });
    const error = await runner
      .run('list', (db) => db.select('SELECT 1', []))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    // Eight attempts in all, as on the path that checks the schema first.
    expect(pool.calls).toBe(8);
  });

  it('does not retry inside your transaction: only you can', async () => {
    const connection = scriptedPool([deadlock()], []);
    const { runner } = steadyRunner({ connection });
    await expect(runner.select('load', 'SELECT 1', [])).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(connection.calls).toBe(1);
  });

  it('passes an error that is not the store’s to report through unchanged', async () => {
    const bug = new TypeError('x is undefined');
    const pool = scriptedPool([bug], []);
    const { runner } = steadyRunner({ pool });
    await expect(runner.select('load', 'SELECT 1', [])).rejects.toBe(bug);
  });

  it('refuses every call after close() without running a statement', async () => {
    const pool = scriptedPool([], []);
    const { runner, shared } = steadyRunner({ pool });
    shared.closed = true;
    await expect(runner.select('load', 'SELECT 1', [])).rejects.toBeInstanceOf(StoreClosedError);
    await expect(runner.run('load', (db) => db.select('SELECT 1', []))).rejects.toBeInstanceOf(
      StoreClosedError,
    );
    expect(pool.calls).toBe(0);
  });
});

describe('rows as objects', () => {
  let url: string;
  let plain: Pool;
  let arrays: Pool;

  beforeAll(async () => {
    url = (await resolveTestBackend('mysql')).url;
    plain = createPool({ uri: url, connectionLimit: 1 });
    arrays = createPool({ uri: url, connectionLimit: 1, rowsAsArray: true });
  });

  afterAll(async () => {
    await plain.end();
    await arrays.end();
  });

  it('come from the plain statement form only where the settings already give objects', async () => {
    expect(rowsComeAsObjects(plain)).toBe(true);
    expect(rowsComeAsObjects(arrays)).toBe(false);
    const connection = await arrays.getConnection();
    try {
      expect(rowsComeAsObjects(connection)).toBe(false);
    } finally {
      connection.release();
    }
    const own = await plain.getConnection();
    try {
      expect(rowsComeAsObjects(own)).toBe(true);
    } finally {
      own.release();
    }
    // Settings it cannot read: the override stays.
    expect(rowsComeAsObjects({} as Pool)).toBe(false);
  });

  it('whatever rowsAsArray the pool or connection was given', async () => {
    const sql = 'SELECT ? AS a, ? AS b';
    for (const pool of [plain, arrays]) {
      expect(await executorOf(pool).select(sql, ['x', 1])).toEqual([{ a: 'x', b: 1 }]);
      const connection = await pool.getConnection();
      try {
        expect(await executorOf(connection).select(sql, ['y', 2])).toEqual([{ a: 'y', b: 2 }]);
      } finally {
        connection.release();
      }
    }
  });
});
