import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { decodeFloorTask, encodeFloorTask, floorPage } from './floor-codec.js';
import { type FloorSqlDialect, floorPageQuery, floorPageSize } from './floor-sql.js';
import { scopeOfContext } from './scope-of-context.js';

const TABLE = 'bench_floor_tasks';
const DIALECT: FloorSqlDialect = { table: TABLE, param: () => '?', rowValues: false };

/**
 * Creates (afresh) the floor's table. Keys are VARBINARY, as in the adapter: byte-wise order and
 * no PAD SPACE merging, on MySQL 8 and MariaDB alike.
 */
export async function migrateMysqlFloor(pool: Pool): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(`CREATE TABLE ${TABLE} (
    tenant VARBINARY(765) NOT NULL, owner VARBINARY(765) NOT NULL, id VARBINARY(765) NOT NULL,
    context_id VARBINARY(765) NOT NULL, state TINYINT UNSIGNED NOT NULL, sort_key BIGINT NOT NULL,
    body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (tenant, owner, id),
    KEY floor_page (tenant, owner, sort_key, id),
    KEY floor_context (tenant, owner, context_id, sort_key, id),
    KEY floor_state (tenant, owner, state, sort_key, id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
}

interface FloorRow extends RowDataPacket {
  id: Buffer;
  sort_key: number | string;
  body: string;
}

/**
 * The least a MySQL/MariaDB store can do: one prepared (`execute`) upsert of the task JSON by its
 * scoped key, one prepared select by key, one prepared keyset page. No validation, no count.
 */
export class MysqlFloorTaskStore implements TaskStore {
  readonly #pool: Pool;
  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    await this.#pool.execute(
      `INSERT INTO ${TABLE} (tenant, owner, id, context_id, state, sort_key, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE context_id = VALUES(context_id), state = VALUES(state),
         sort_key = VALUES(sort_key), body = VALUES(body)`,
      [tenant, owner, task.id, contextId, state, sortKey, body],
    );
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const { tenant, owner } = scopeOfContext(context);
    const [rows] = await this.#pool.execute<FloorRow[]>(
      `SELECT body FROM ${TABLE} WHERE tenant = ? AND owner = ? AND id = ?`,
      [tenant, owner, taskId],
    );
    const row = rows[0];
    return row === undefined ? undefined : decodeFloorTask(row.body);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const query = floorPageQuery(DIALECT, scopeOfContext(context), request);
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
