import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { Pool } from 'pg';
import { decodeFloorTask, floorPage } from './floor-codec.js';
import { type FloorSqlDialect, floorPageQuery, floorPageSize } from './floor-sql.js';
import { scopeOfContext } from './scope-of-context.js';

/**
 * The reads every PostgreSQL floor does the same way over its own table (a `body` column keyed
 * by `(tenant, owner, id)`): one named (server-prepared) select by key, one keyset page. No
 * validation, no count. `statementPrefix` keeps the floors' prepared statement names apart.
 */
export class PostgresFloorReads {
  readonly #pool: Pool;
  readonly #dialect: FloorSqlDialect;
  readonly #statementPrefix: string;

  constructor(pool: Pool, table: string, statementPrefix: string) {
    this.#pool = pool;
    this.#dialect = { table, param: (n) => `$${n}`, rowValues: true };
    this.#statementPrefix = statementPrefix;
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const { tenant, owner } = scopeOfContext(context);
    const result = await this.#pool.query<{ body: string }>({
      name: `${this.#statementPrefix}_select`,
      text: `SELECT body FROM ${this.#dialect.table} WHERE tenant = $1 AND owner = $2 AND id = $3`,
      values: [tenant, owner, taskId],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : decodeFloorTask(row.body);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const query = floorPageQuery(this.#dialect, scopeOfContext(context), request);
    const result = await this.#pool.query<{ id: string; sort_key: string; body: string }>({
      name: `${this.#statementPrefix}_${query.key}`,
      text: query.text,
      values: [...query.values],
    });
    return floorPage(result.rows, floorPageSize(request));
  }
}
