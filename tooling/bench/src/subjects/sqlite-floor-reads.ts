import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type BetterSqlite3 from 'better-sqlite3';
import { decodeFloorTask, floorPage } from './floor-codec.js';
import { floorPageQuery, floorPageSize } from './floor-sql.js';
import { scopeOfContext } from './scope-of-context.js';

interface FloorRow {
  id: string;
  sort_key: number;
  body: string;
}

/**
 * The reads every SQLite floor does the same way over its own table (a `body` column keyed by
 * `(tenant, owner, id)`): one prepared select by key, one keyset page. No validation, no count.
 */
export class SqliteFloorReads {
  readonly #database: BetterSqlite3.Database;
  readonly #table: string;
  readonly #select: BetterSqlite3.Statement;
  readonly #pages = new Map<string, BetterSqlite3.Statement>();

  /** Prepares against `table`, so create it first. */
  constructor(database: BetterSqlite3.Database, table: string) {
    this.#database = database;
    this.#table = table;
    this.#select = database
      .prepare(`SELECT body FROM ${table} WHERE tenant = ? AND owner = ? AND id = ?`)
      .pluck();
  }

  load(taskId: string, context: ServerCallContext): Task | undefined {
    const { tenant, owner } = scopeOfContext(context);
    const body = this.#select.get(tenant, owner, taskId) as string | undefined;
    return body === undefined ? undefined : decodeFloorTask(body);
  }

  list(request: ListTasksRequest, context: ServerCallContext): ListTasksResponse {
    const dialect = { table: this.#table, param: () => '?', rowValues: true };
    const query = floorPageQuery(dialect, scopeOfContext(context), request);
    let statement = this.#pages.get(query.key);
    if (!statement) {
      statement = this.#database.prepare(query.text);
      this.#pages.set(query.key, statement);
    }
    return floorPage(statement.all(...query.values) as FloorRow[], floorPageSize(request));
  }
}
