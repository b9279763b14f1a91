import { keysIn } from './key-tuples.js';
import type { TableNames } from './options.js';

/*
 * The exact number of tasks of each scope, behind the `totalSize` of an unfiltered `list` (the
 * listing every agent UI opens with, and the one that grows with the scope). Two triggers keep
 * it, so a save stays one statement and one round trip and the count changes in the same
 * transaction as the row, whoever writes it (the stores, a purge, an operator's DELETE).
 *
 * Only inserts and deletes move it; there is deliberately no UPDATE trigger. On MariaDB an
 * UPDATE trigger made every update (the hottest write of an agent) about 12% slower in an A/B
 * run, even with nothing to count, and it drops the insert id that LAST_INSERT_ID(expr) sets
 * from the OK packet, which `save` relies on. The stores never
 * change a task's tenant or owner, so an update cannot move a task between counters; filtered
 * totals (state, context) are counted from their own index range instead.
 */

export function taskCountsTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.taskCounts} (
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (tenant, owner)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/** Adds `delta` to the count of `row`'s scope, creating it when missing. */
function countScope(t: TableNames, row: 'NEW' | 'OLD', delta: string): string {
  return `INSERT INTO ${t.taskCounts} (tenant, owner, n) VALUES (${row}.tenant, ${row}.owner, ${delta})
  ON DUPLICATE KEY UPDATE n = n + ${delta}`;
}

/**
 * The trigger statements, each pair idempotent (DROP IF EXISTS, then CREATE: MySQL 8.0 before
 * 8.0.29 has no CREATE TRIGGER IF NOT EXISTS). Single-statement bodies, sent as text queries.
 */
export function taskCountTriggers(t: TableNames): string[] {
  const { insert, delete: remove } = t.countTriggers;
  return [
    `DROP TRIGGER IF EXISTS ${insert}`,
    `CREATE TRIGGER ${insert} AFTER INSERT ON ${t.tasks} FOR EACH ROW ${countScope(t, 'NEW', '1')}`,
    `DROP TRIGGER IF EXISTS ${remove}`,
    `CREATE TRIGGER ${remove} AFTER DELETE ON ${t.tasks} FOR EACH ROW ${countScope(t, 'OLD', '-1')}`,
  ];
}

/**
 * Recounts every scope from the rows, so a schema upgraded from a release without counters (or
 * a step re-run after a crash) starts exact. Runs after the triggers exist, while no worker
 * writes (the step runs before this release's workers start; an older release's must be
 * stopped): a task inserted between the two statements would be counted by neither.
 */
export function recountTasks(t: TableNames): string[] {
  return [
    `DELETE FROM ${t.taskCounts}`,
    `INSERT INTO ${t.taskCounts} (tenant, owner, n)
SELECT tenant, owner, COUNT(*) FROM ${t.tasks} GROUP BY tenant, owner
ON DUPLICATE KEY UPDATE n = VALUES(n)`,
  ];
}

/**
 * Up to `?` scope counts that fell to zero (scopes a purge emptied), optionally one scope. A
 * plain consistent read: it locks nothing, so writers never wait on the scan.
 */
export function zeroCounters(t: TableNames, inScope: boolean): string {
  return `SELECT tenant, owner FROM ${t.taskCounts} WHERE n = 0${inScope ? ' AND tenant = ? AND owner = ?' : ''} LIMIT ?`;
}

/**
 * Deletes the given scope counts by primary key if they are still zero: a writer that revived
 * one meanwhile fails the re-checked `n = 0`, and one that comes after re-creates it, so no
 * count is lost.
 */
export function deleteZeroCounters(
  t: TableNames,
  keys: readonly (readonly [Buffer, Buffer])[],
): { sql: string; params: Buffer[] } {
  const match = keysIn(['tenant', 'owner'], keys);
  return { sql: `DELETE FROM ${t.taskCounts} WHERE n = 0 AND ${match.sql}`, params: match.params };
}

/** The count of a scope, as a scalar subquery; a scope without a row holds no task. */
export function scopeTotal(t: TableNames): string {
  return `(SELECT COALESCE(SUM(n), 0) FROM ${t.taskCounts} WHERE tenant = ? AND owner = ?)`;
}
