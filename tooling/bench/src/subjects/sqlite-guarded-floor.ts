import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { isStaleTransition, taskCounterChanges } from '@a2a-stores/core';
import type BetterSqlite3 from 'better-sqlite3';
import { encodeFloorTask } from './floor-codec.js';
import { FloorTaskStore } from './floor-store.js';
import { scopeOfContext } from './scope-of-context.js';
import { SqliteFloorReads } from './sqlite-floor-reads.js';

interface StoredGuard {
  version: number;
  state: number;
  context_id: string;
}

/**
 * The raw floor plus, in raw SQL, the write guarantees the adapter gives and the floor skips:
 * in one IMMEDIATE transaction, read the stored version and state, refuse a stale terminal move,
 * write a new version and a write time, keep a purge index `(state, updated_at)` and the exact
 * counters behind `totalSize`. Not a store anyone should use (no checks, no count in `list`):
 * it measures what those guarantees cost on this machine, so the report can show whether the
 * adapter's gap to the floor is them or something else.
 */
export class SqliteGuardedFloorTaskStore extends FloorTaskStore {
  readonly #guard: BetterSqlite3.Statement;
  readonly #upsert: BetterSqlite3.Statement;
  readonly #count: BetterSqlite3.Statement;
  protected readonly reads: SqliteFloorReads;
  readonly #write: (context: ServerCallContext, task: Task) => void;

  constructor(database: BetterSqlite3.Database) {
    super();
    database.exec(`
      DROP TABLE IF EXISTS gfloor_tasks;
      DROP TABLE IF EXISTS gfloor_counts;
      CREATE TABLE gfloor_tasks (
        tenant TEXT NOT NULL, owner TEXT NOT NULL, id TEXT NOT NULL, context_id TEXT NOT NULL,
        state INTEGER NOT NULL, sort_key INTEGER NOT NULL, version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (tenant, owner, id));
      CREATE INDEX gfloor_tasks_page ON gfloor_tasks (tenant, owner, sort_key DESC, id DESC);
      CREATE INDEX gfloor_tasks_context ON gfloor_tasks (tenant, owner, context_id, sort_key DESC, id DESC);
      CREATE INDEX gfloor_tasks_state ON gfloor_tasks (tenant, owner, state, sort_key DESC, id DESC);
      CREATE INDEX gfloor_tasks_purge ON gfloor_tasks (state, updated_at);
      CREATE TABLE gfloor_counts (
        tenant TEXT NOT NULL, owner TEXT NOT NULL, context_id TEXT NOT NULL, state INTEGER NOT NULL,
        n INTEGER NOT NULL, PRIMARY KEY (tenant, owner, context_id, state)) WITHOUT ROWID;`);
    this.#guard = database.prepare(
      'SELECT version, state, context_id FROM gfloor_tasks WHERE tenant = ? AND owner = ? AND id = ?',
    );
    this.#upsert = database.prepare(
      `INSERT INTO gfloor_tasks (tenant, owner, id, context_id, state, sort_key, version, updated_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, owner, id) DO UPDATE SET context_id = excluded.context_id,
         state = excluded.state, sort_key = excluded.sort_key, version = excluded.version,
         updated_at = excluded.updated_at, body = excluded.body`,
    );
    this.#count = database.prepare(
      `INSERT INTO gfloor_counts (tenant, owner, context_id, state, n) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, owner, context_id, state) DO UPDATE SET n = n + excluded.n`,
    );
    this.reads = new SqliteFloorReads(database, 'gfloor_tasks');
    const write = database.transaction((context: ServerCallContext, task: Task) => {
      const { tenant, owner } = scopeOfContext(context);
      const { contextId, state, sortKey, body } = encodeFloorTask(task);
      const stored = this.#guard.get(tenant, owner, task.id) as StoredGuard | undefined;
      if (stored && isStaleTransition(stored.state, state)) return;
      const version = (stored?.version ?? 0) + 1;
      this.#upsert.run(
        tenant,
        owner,
        task.id,
        contextId,
        state,
        sortKey,
        version,
        Date.now(),
        body,
      );
      const from = stored && { state: stored.state, contextId: stored.context_id };
      for (const change of taskCounterChanges(from, { state, contextId })) {
        this.#count.run(tenant, owner, change.contextId, change.state, change.delta);
      }
    });
    this.#write = (context, task) => write.immediate(context, task);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    this.#write(context, task);
  }
}
