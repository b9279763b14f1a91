import { TaskState } from '@a2a-js/sdk';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { contextOf, makeTask, randomScope } from '../src/fixtures.js';
import { SqliteGuardedFloorTaskStore } from '../src/subjects/sqlite-guarded-floor.js';

function withState(task: ReturnType<typeof makeTask>, state: TaskState) {
  return { ...task, status: { ...task.status!, state } };
}

describe('the guarded SQLite floor', () => {
  it('does the work it is there to price: versions, the terminal guard, exact counters', async () => {
    const database = new Database(':memory:');
    const store = new SqliteGuardedFloorTaskStore(database);
    const ctx = contextOf(randomScope());
    const task = makeTask(0, { contextId: 'ctx' });
    await store.save(withState(task, TaskState.TASK_STATE_WORKING), ctx);
    await store.save(withState(task, TaskState.TASK_STATE_COMPLETED), ctx);
    // A late working event after completion is refused: the stored task stays completed.
    await store.save(withState(task, TaskState.TASK_STATE_WORKING), ctx);
    expect((await store.load(task.id, ctx))?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    await store.save(makeTask(1, { contextId: 'ctx' }), ctx);

    const version = database
      .prepare('SELECT version FROM gfloor_tasks WHERE id = ?')
      .pluck()
      .get(task.id);
    expect(version).toBe(2);
    const counts = database
      .prepare(
        "SELECT context_id || '/' || state || '=' || n FROM gfloor_counts WHERE n <> 0 ORDER BY 1",
      )
      .pluck()
      .all();
    const working = TaskState.TASK_STATE_WORKING;
    const completed = TaskState.TASK_STATE_COMPLETED;
    expect(counts).toEqual([`/0=2`, `/${completed}=1`, `/${working}=1`, 'ctx/0=2'].sort());
    database.close();
  });
});
