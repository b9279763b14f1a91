import Database from 'better-sqlite3';
import { describe, it } from 'vitest';
import { SqliteGuardedFloorTaskStore } from '../src/subjects/sqlite-guarded-floor.js';
import { checkGuardedFloor } from './support/guarded-floor-scenario.js';

describe('the guarded SQLite floor', () => {
  it('does the work it is there to price: versions, the terminal guard, exact counters', async () => {
    const database = new Database(':memory:');
    await checkGuardedFloor(new SqliteGuardedFloorTaskStore(database), {
      version: async (taskId) =>
        database
          .prepare('SELECT version FROM gfloor_tasks WHERE id = ?')
          .pluck()
          .get(taskId) as number,
      counters: async () =>
        database
          .prepare("SELECT context_id || '/' || state || '=' || n FROM gfloor_counts WHERE n <> 0")
          .pluck()
          .all() as string[],
    });
    database.close();
  });
});
