import { resolveTestBackend, type TestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  migratePostgresGuardedFloor,
  PostgresGuardedFloorTaskStore,
} from '../src/subjects/postgres-guarded-floor.js';
import { checkGuardedFloor } from './support/guarded-floor-scenario.js';

let backend: TestBackend;
let pool: pg.Pool;

beforeAll(async () => {
  backend = await resolveTestBackend('postgres');
  pool = new pg.Pool({ connectionString: backend.url, max: 2 });
  // Every connection, the first included, works in the test's own schema.
  pool.on('connect', (client) => {
    client.query(
      'CREATE SCHEMA IF NOT EXISTS bench_gfloor_test; SET search_path = bench_gfloor_test',
    );
  });
  await migratePostgresGuardedFloor(pool);
});

afterAll(async () => {
  await pool.query('DROP SCHEMA IF EXISTS bench_gfloor_test CASCADE');
  await pool.end();
  await backend.stop();
});

describe('the guarded PostgreSQL floor', () => {
  it('does the work it is there to price: versions, the terminal guard, exact counters', async () => {
    await checkGuardedFloor(new PostgresGuardedFloorTaskStore(pool), {
      version: async (taskId) => {
        const result = await pool.query('SELECT version FROM bench_gfloor_tasks WHERE id = $1', [
          taskId,
        ]);
        return Number(result.rows[0]?.version);
      },
      counters: async () => {
        const result = await pool.query(
          `SELECT context_id || '/' || state || '=' || sum(n) AS c FROM bench_gfloor_counts
           GROUP BY context_id, state HAVING sum(n) <> 0`,
        );
        return result.rows.map((row) => String(row.c));
      },
    });
  });
});
