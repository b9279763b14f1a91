import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { Pool } from 'mysql2/promise';
import { encodeFloorTask } from './floor-codec.js';
import { MysqlTableFloor } from './mysql-floor-reads.js';
import { scopeOfContext } from './scope-of-context.js';

const TABLE = 'bench_floor_tasks';

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

/**
 * The least a MySQL/MariaDB store can do: one prepared (`execute`) upsert of the task JSON by its
 * scoped key, one prepared select by key, one prepared keyset page. No validation, no count.
 */
export class MysqlFloorTaskStore extends MysqlTableFloor {
  constructor(pool: Pool) {
    super(pool, TABLE);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    await this.pool.execute(
      `INSERT INTO ${TABLE} (tenant, owner, id, context_id, state, sort_key, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE context_id = VALUES(context_id), state = VALUES(state),
         sort_key = VALUES(sort_key), body = VALUES(body)`,
      [tenant, owner, task.id, contextId, state, sortKey, body],
    );
  }
}
