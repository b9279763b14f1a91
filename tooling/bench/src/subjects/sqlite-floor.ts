import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type BetterSqlite3 from 'better-sqlite3';
import { encodeFloorTask } from './floor-codec.js';
import { FloorTaskStore } from './floor-store.js';
import { scopeOfContext } from './scope-of-context.js';
import { SqliteFloorReads } from './sqlite-floor-reads.js';

/**
 * The least a SQLite store can do: one prepared upsert of the task JSON by its scoped key, one
 * select by key, one keyset page over a (scope, [context | state,] sort key, id) index. No
 * validation, no count.
 */
export class SqliteFloorTaskStore extends FloorTaskStore {
  readonly #upsert: BetterSqlite3.Statement;
  protected readonly reads: SqliteFloorReads;

  constructor(database: BetterSqlite3.Database) {
    super();
    database.exec(`
      DROP TABLE IF EXISTS floor_tasks;
      CREATE TABLE floor_tasks (
        tenant TEXT NOT NULL, owner TEXT NOT NULL, id TEXT NOT NULL, context_id TEXT NOT NULL,
        state INTEGER NOT NULL, sort_key INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (tenant, owner, id));
      CREATE INDEX floor_tasks_page ON floor_tasks (tenant, owner, sort_key DESC, id DESC);
      CREATE INDEX floor_tasks_context ON floor_tasks (tenant, owner, context_id, sort_key DESC, id DESC);
      CREATE INDEX floor_tasks_state ON floor_tasks (tenant, owner, state, sort_key DESC, id DESC);`);
    this.#upsert = database.prepare(
      `INSERT INTO floor_tasks (tenant, owner, id, context_id, state, sort_key, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, owner, id) DO UPDATE SET context_id = excluded.context_id,
         state = excluded.state, sort_key = excluded.sort_key, body = excluded.body`,
    );
    this.reads = new SqliteFloorReads(database, 'floor_tasks');
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    this.#upsert.run(tenant, owner, task.id, contextId, state, sortKey, body);
  }
}
