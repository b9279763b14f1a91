import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { decodeFloorTask, floorPage } from './floor-codec.js';
import { type FloorSqlDialect, floorPageQuery, floorPageSize } from './floor-sql.js';
import { FloorTaskStore } from './floor-store.js';
import { scopeOfContext } from './scope-of-context.js';

interface FloorRow extends RowDataPacket {
  id: Buffer;
  sort_key: number | string;
  body: string;
}

/**
 * The reads every MySQL/MariaDB floor does the same way over its own table (a `body` column
 * keyed by `(tenant, owner, id)`): one prepared (`execute`) select by key, one prepared keyset
 * page. No validation, no count.
 */
export class MysqlFloorReads {
  readonly #pool: Pool;
  readonly #dialect: FloorSqlDialect;

  constructor(pool: Pool, table: string) {
    this.#pool = pool;
    this.#dialect = { table, param: () => '?', rowValues: false };
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const { tenant, owner } = scopeOfContext(context);
    const [rows] = await this.#pool.execute<FloorRow[]>(
      `SELECT body FROM ${this.#dialect.table} WHERE tenant = ? AND owner = ? AND id = ?`,
      [tenant, owner, taskId],
    );
    const row = rows[0];
    return row === undefined ? undefined : decodeFloorTask(row.body);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const query = floorPageQuery(this.#dialect, scopeOfContext(context), request);
    // mysql2 binds JS numbers as DOUBLE, which MySQL 8.0.22+ refuses in LIMIT: a decimal string is not.
    const values = query.values.map((value, i) =>
      i === query.values.length - 1 ? String(value) : value,
    );
    const [rows] = await this.#pool.execute<FloorRow[]>(query.text, values);
    const page = rows.map((row) => ({
      id: row.id.toString('utf8'),
      sort_key: row.sort_key,
      body: row.body,
    }));
    return floorPage(page, floorPageSize(request));
  }
}

/** A MySQL/MariaDB floor over one table: its pool and the shared reads; subclasses write. */
export abstract class MysqlTableFloor extends FloorTaskStore {
  protected readonly pool: Pool;
  protected readonly reads: MysqlFloorReads;

  constructor(pool: Pool, table: string) {
    super();
    this.pool = pool;
    this.reads = new MysqlFloorReads(pool, table);
  }
}
