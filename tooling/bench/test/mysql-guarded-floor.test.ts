import { resolveTestBackend, type TestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  MysqlGuardedFloorTaskStore,
  migrateMysqlGuardedFloor,
} from '../src/subjects/mysql-guarded-floor.js';
import { checkGuardedFloor } from './support/guarded-floor-scenario.js';

let backend: TestBackend;
let pool: Pool;

beforeAll(async () => {
  backend = await resolveTestBackend('mysql');
  pool = createPool({ uri: backend.url, connectionLimit: 2 });
  await migrateMysqlGuardedFloor(pool);
});

afterAll(async () => {
  await pool.query('DROP TABLE IF EXISTS bench_gfloor_tasks, bench_gfloor_counts');
  await pool.end();
  await backend.stop();
});

describe('the guarded MySQL floor', () => {
  it('does the work it is there to price: versions, the terminal guard, the scope count', async () => {
    await checkGuardedFloor(
      new MysqlGuardedFloorTaskStore(pool),
      {
        version: async (taskId) => {
          const [rows] = await pool.query<RowDataPacket[]>(
            'SELECT version FROM bench_gfloor_tasks WHERE id = ?',
            [taskId],
          );
          return Number(rows[0]?.version);
        },
        state: async (taskId) => {
          const [rows] = await pool.query<RowDataPacket[]>(
            'SELECT state FROM bench_gfloor_tasks WHERE id = ?',
            [taskId],
          );
          return Number(rows[0]?.state);
        },
        // The scope count stands for the scope key ('' context, state 0) of the other floors.
        counters: async () => {
          const [rows] = await pool.query<RowDataPacket[]>(
            "SELECT CONCAT('/0=', n) AS c FROM bench_gfloor_counts WHERE n <> 0",
          );
          return rows.map((row) => String(row.c));
        },
      },
      'scope',
    );
  });
});
