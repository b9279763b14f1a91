import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type BetterSqlite3 from 'better-sqlite3';
import { PAGE_SIZE } from '../options.js';
import { decodeFloorTask, encodeFloorTask, floorPage, parseFloorToken } from './floor-codec.js';
import { scopeOfContext } from './scope-of-context.js';

interface FloorRow {
  id: string;
  sort_key: number;
  body: string;
}

/**
 * The least a SQLite store can do: one prepared upsert of the task JSON by its scoped key, one
 * select by key, one keyset page over a (scope, sort key, id) index. No validation, no count.
 */
export class SqliteFloorTaskStore implements TaskStore {
  readonly #upsert: BetterSqlite3.Statement;
  readonly #select: BetterSqlite3.Statement;
  readonly #firstPage: BetterSqlite3.Statement;
  readonly #nextPage: BetterSqlite3.Statement;

  constructor(database: BetterSqlite3.Database) {
    database.exec(`
      DROP TABLE IF EXISTS floor_tasks;
      CREATE TABLE floor_tasks (
        tenant TEXT NOT NULL, owner TEXT NOT NULL, id TEXT NOT NULL,
        sort_key INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (tenant, owner, id));
      CREATE INDEX floor_tasks_page ON floor_tasks (tenant, owner, sort_key DESC, id DESC);`);
    this.#upsert = database.prepare(
      `INSERT INTO floor_tasks (tenant, owner, id, sort_key, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, owner, id) DO UPDATE SET sort_key = excluded.sort_key, body = excluded.body`,
    );
    this.#select = database
      .prepare('SELECT body FROM floor_tasks WHERE tenant = ? AND owner = ? AND id = ?')
      .pluck();
    this.#firstPage = database.prepare(
      `SELECT id, sort_key, body FROM floor_tasks WHERE tenant = ? AND owner = ?
       ORDER BY sort_key DESC, id DESC LIMIT ?`,
    );
    this.#nextPage = database.prepare(
      `SELECT id, sort_key, body FROM floor_tasks WHERE tenant = ? AND owner = ?
       AND (sort_key, id) < (?, ?) ORDER BY sort_key DESC, id DESC LIMIT ?`,
    );
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { sortKey, body } = encodeFloorTask(task);
    this.#upsert.run(tenant, owner, task.id, sortKey, body);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const { tenant, owner } = scopeOfContext(context);
    const body = this.#select.get(tenant, owner, taskId) as string | undefined;
    return body === undefined ? undefined : decodeFloorTask(body);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const { tenant, owner } = scopeOfContext(context);
    const pageSize = request.pageSize ?? PAGE_SIZE;
    const rows = (
      request.pageToken
        ? (() => {
            const cursor = parseFloorToken(request.pageToken);
            return this.#nextPage.all(tenant, owner, cursor.sortKey, cursor.id, pageSize + 1);
          })()
        : this.#firstPage.all(tenant, owner, pageSize + 1)
    ) as FloorRow[];
    return floorPage(rows, pageSize);
  }
}
