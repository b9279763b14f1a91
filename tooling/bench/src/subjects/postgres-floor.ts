import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type { Pool } from 'pg';
import { PAGE_SIZE } from '../options.js';
import { decodeFloorTask, encodeFloorTask, floorPage, parseFloorToken } from './floor-codec.js';
import { scopeOfContext } from './scope-of-context.js';

const TABLE = 'bench_floor_tasks';

/** Creates (afresh) the floor's table: byte-wise keys, one index for the keyset page. */
export async function migratePostgresFloor(pool: Pool): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(`CREATE TABLE ${TABLE} (
    tenant text COLLATE "C" NOT NULL, owner text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    sort_key bigint NOT NULL, body text NOT NULL,
    PRIMARY KEY (tenant, owner, id))`);
  await pool.query(
    `CREATE INDEX ${TABLE}_page ON ${TABLE} (tenant, owner, sort_key DESC, id DESC)`,
  );
}

/**
 * The least a PostgreSQL store can do: one named (server-side prepared) upsert of the task JSON
 * by its scoped key, one select by key, one keyset page. No validation, no count, no version.
 */
export class PostgresFloorTaskStore implements TaskStore {
  readonly #pool: Pool;
  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { sortKey, body } = encodeFloorTask(task);
    await this.#pool.query({
      name: 'floor_upsert',
      text: `INSERT INTO ${TABLE} (tenant, owner, id, sort_key, body) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant, owner, id) DO UPDATE SET sort_key = EXCLUDED.sort_key, body = EXCLUDED.body`,
      values: [tenant, owner, task.id, sortKey, body],
    });
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const { tenant, owner } = scopeOfContext(context);
    const result = await this.#pool.query<{ body: string }>({
      name: 'floor_select',
      text: `SELECT body FROM ${TABLE} WHERE tenant = $1 AND owner = $2 AND id = $3`,
      values: [tenant, owner, taskId],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : decodeFloorTask(row.body);
  }

  async list(request: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const { tenant, owner } = scopeOfContext(context);
    const pageSize = request.pageSize ?? PAGE_SIZE;
    type Row = { id: string; sort_key: string; body: string };
    const result = request.pageToken
      ? await (() => {
          const cursor = parseFloorToken(request.pageToken);
          return this.#pool.query<Row>({
            name: 'floor_next_page',
            text: `SELECT id, sort_key, body FROM ${TABLE} WHERE tenant = $1 AND owner = $2
                   AND (sort_key, id) < ($3, $4) ORDER BY sort_key DESC, id DESC LIMIT $5`,
            values: [tenant, owner, cursor.sortKey, cursor.id, pageSize + 1],
          });
        })()
      : await this.#pool.query<Row>({
          name: 'floor_first_page',
          text: `SELECT id, sort_key, body FROM ${TABLE} WHERE tenant = $1 AND owner = $2
                 ORDER BY sort_key DESC, id DESC LIMIT $3`,
          values: [tenant, owner, pageSize + 1],
        });
    return floorPage(result.rows, pageSize);
  }
}
