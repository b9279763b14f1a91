import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { TERMINAL_STATES } from '@a2a-stores/core';
import type { Pool } from 'mysql2/promise';
import { encodeFloorTask } from './floor-codec.js';
import { MysqlTableFloor } from './mysql-floor-reads.js';
import { scopeOfContext } from './scope-of-context.js';

const TABLE = 'bench_gfloor_tasks';
const COUNTS = 'bench_gfloor_counts';

function countScope(row: 'NEW' | 'OLD', delta: string): string {
  return `INSERT INTO ${COUNTS} (tenant, owner, n) VALUES (${row}.tenant, ${row}.owner, ${delta})
    ON DUPLICATE KEY UPDATE n = n + ${delta}`;
}

/**
 * Creates (afresh) the guarded floor's tables: the floor's, plus a version, a write time with its
 * purge index, and the per-scope count kept by insert and delete triggers, as the adapter keeps
 * them. Needs the TRIGGER privilege.
 */
export async function migrateMysqlGuardedFloor(pool: Pool): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}, ${COUNTS}`);
  await pool.query(`CREATE TABLE ${TABLE} (
    tenant VARBINARY(765) NOT NULL, owner VARBINARY(765) NOT NULL, id VARBINARY(765) NOT NULL,
    context_id VARBINARY(765) NOT NULL, state TINYINT UNSIGNED NOT NULL, sort_key BIGINT NOT NULL,
    version BIGINT UNSIGNED NOT NULL, updated_at BIGINT NOT NULL,
    body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (tenant, owner, id),
    KEY gfloor_page (tenant, owner, sort_key, id),
    KEY gfloor_context (tenant, owner, context_id, sort_key, id),
    KEY gfloor_state (tenant, owner, state, sort_key, id),
    KEY gfloor_purge (state, updated_at)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  await pool.query(`CREATE TABLE ${COUNTS} (
    tenant VARBINARY(765) NOT NULL, owner VARBINARY(765) NOT NULL, n BIGINT NOT NULL,
    PRIMARY KEY (tenant, owner)) ENGINE=InnoDB`);
  await pool.query(
    `CREATE TRIGGER ${TABLE}_counted AFTER INSERT ON ${TABLE} FOR EACH ROW ${countScope('NEW', '1')}`,
  );
  await pool.query(
    `CREATE TRIGGER ${TABLE}_uncounted AFTER DELETE ON ${TABLE} FOR EACH ROW ${countScope('OLD', '-1')}`,
  );
}

/** The stored state is terminal and the write would leave it: the write must change nothing. */
const STALE = `(state IN (${TERMINAL_STATES.join(', ')}) AND state <> VALUES(state))`;

/**
 * The raw floor plus, in raw SQL, the write guarantees the adapter gives and the floor skips, in
 * the adapter's one statement: the terminal guard (a stale write changes nothing), a new version
 * and a write time with its purge index, and the per-scope count (a new task fires the insert
 * trigger). `state` is assigned last, so every guard before it reads the stored state. Not a
 * store anyone should use (no checks, no count in `list`): it prices those guarantees on this
 * server, so the report can show whether the adapter's gap to the floor is them or something else.
 */
export class MysqlGuardedFloorTaskStore extends MysqlTableFloor {
  constructor(pool: Pool) {
    super(pool, TABLE);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const { tenant, owner } = scopeOfContext(context);
    const { contextId, state, sortKey, body } = encodeFloorTask(task);
    await this.pool.execute(
      `INSERT INTO ${TABLE} (tenant, owner, id, context_id, state, sort_key, version, updated_at, body)
       VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
       ON DUPLICATE KEY UPDATE context_id = IF(${STALE}, context_id, VALUES(context_id)),
         sort_key = IF(${STALE}, sort_key, VALUES(sort_key)),
         updated_at = IF(${STALE}, updated_at, VALUES(updated_at)),
         body = IF(${STALE}, body, VALUES(body)),
         version = IF(${STALE}, version, version + 1),
         state = IF(${STALE}, state, VALUES(state))`,
      [tenant, owner, task.id, contextId, state, sortKey, Date.now(), body],
    );
  }
}
