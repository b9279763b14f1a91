import { TaskState } from '@a2a-js/sdk';
import { resolveTestBackend, type TestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, makeTask, randomScope } from '../src/fixtures.js';
import {
  migratePostgresGuardedFloor,
  PostgresGuardedFloorTaskStore,
} from '../src/subjects/postgres-guarded-floor.js';

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

function withState(task: ReturnType<typeof makeTask>, state: TaskState) {
  return { ...task, status: { ...task.status!, state } };
}

describe('the guarded PostgreSQL floor', () => {
  it('does the work it is there to price: versions, the terminal guard, exact counters', async () => {
    const store = new PostgresGuardedFloorTaskStore(pool);
    const ctx = contextOf(randomScope());
    const task = makeTask(0, { contextId: 'ctx' });
    await store.save(withState(task, TaskState.TASK_STATE_WORKING), ctx);
    await store.save(withState(task, TaskState.TASK_STATE_COMPLETED), ctx);
    // A late working event after completion is refused: the stored task stays completed.
    await store.save(withState(task, TaskState.TASK_STATE_WORKING), ctx);
    expect((await store.load(task.id, ctx))?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    await store.save(makeTask(1, { contextId: 'ctx' }), ctx);

    const version = await pool.query('SELECT version FROM bench_gfloor_tasks WHERE id = $1', [
      task.id,
    ]);
    expect(Number(version.rows[0]?.version)).toBe(2);
    const counts = await pool.query(
      "SELECT context_id || '/' || state || '=' || n AS c FROM bench_gfloor_counts WHERE n <> 0",
    );
    const working = TaskState.TASK_STATE_WORKING;
    const completed = TaskState.TASK_STATE_COMPLETED;
    expect(counts.rows.map((row) => String(row.c)).sort()).toEqual(
      ['/0=2', `/${completed}=1`, `/${working}=1`, 'ctx/0=2'].sort(),
    );
  });
});
