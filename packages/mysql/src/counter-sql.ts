import { TERMINAL_STATES } from '@a2a-stores/core';
import type { TableNames } from './options.js';

/** The message of the SIGNAL that refuses a stale write (core's `isStaleTransition`). */
export const STALE_WRITE_SIGNAL = 'a2a-stores: stale write refused';

/*
 * Why triggers, and the terminal guard in one: MariaDB drops the insert id that
 * LAST_INSERT_ID(expr) sets from the OK packet of any statement that fires an UPDATE trigger, so
 * the upsert can no longer report a refused write through it. The guard moved into the
 * trigger: a stale transition fails its statement with {@link STALE_WRITE_SIGNAL} (nothing of
 * the statement stays, counters included), and every write that succeeds changes `version`, so
 * affectedRows (1 inserted, 2 updated) tells the outcome whatever CLIENT_FOUND_ROWS says.
 *
 * The exact counters behind `totalSize` (core's `taskCounterKeys`): a task counts in its scope
 * row `(0, '')`, in `(state, '')` when it has a state and in `(0, context_id)` when it has a
 * context. Triggers keep them, so a write stays one statement and one round trip, and the
 * counters change in the same transaction as the row, whoever writes it (the stores, a purge,
 * an operator's DELETE).
 *
 * Lock order: every trigger that changes a counter first upserts the scope row (with +0 when
 * the scope's total does not move). Holding the scope row is then the price of touching any other
 * counter of the scope, so two writers can never hold counter rows of one scope in opposite
 * orders and deadlock each other.
 */

type Row = 'NEW' | 'OLD';

/** One counter key with the change to apply: `[state, contextId, delta]` as SQL expressions. */
type Change = readonly [state: string, contextId: string, delta: string];

/**
 * Applies `changes` to the counters of `row`'s scope in one statement (fewer statements is
 * most of a trigger's cost), creating missing counters. Rows are listed scope row first.
 */
function apply(t: TableNames, row: Row, changes: readonly Change[]): string {
  const values = changes
    .map(
      ([state, contextId, delta]) =>
        `(${row}.tenant, ${row}.owner, ${state}, ${contextId}, ${delta})`,
    )
    .join(', ');
  return `INSERT INTO ${t.taskCounts} (tenant, owner, state, context_id, n) VALUES ${values}
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);`;
}

/**
 * The counters of one row, moved by `delta` (`1` on insert, `-1` on delete): the scope row,
 * plus the state and context counters the row has (state 0 and context '' are not counted).
 */
function countRow(t: TableNames, row: Row, delta: string): string {
  const scope: Change = ['0', "''", delta];
  const context: Change = ['0', `${row}.context_id`, delta];
  const state: Change = [`${row}.state`, "''", delta];
  return `IF ${row}.state <> 0 AND ${row}.context_id <> '' THEN ${apply(t, row, [scope, context, state])}
  ELSEIF ${row}.state <> 0 THEN ${apply(t, row, [scope, state])}
  ELSEIF ${row}.context_id <> '' THEN ${apply(t, row, [scope, context])}
  ELSE ${apply(t, row, [scope])}
  END IF;`;
}

/**
 * Refuses a stale transition, then moves the task between counters when its state or context
 * changes; the common update (same state, new message) touches no counter, and the common move
 * (one state to another) is one statement. Keys never change (the stores never write them),
 * but an operator's UPDATE might: then the row leaves one scope's counters for another's.
 */
function moveRow(t: TableNames): string {
  const touchScope: Change = ['0', "''", '0'];
  return `IF OLD.state IN (${TERMINAL_STATES.join(', ')}) AND NEW.state <> OLD.state THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${STALE_WRITE_SIGNAL}';
  END IF;
  IF NEW.tenant <> OLD.tenant OR NEW.owner <> OLD.owner THEN
    ${countRow(t, 'OLD', '-1')}
    ${countRow(t, 'NEW', '1')}
  ELSEIF NEW.context_id = OLD.context_id AND NEW.state <> OLD.state AND OLD.state <> 0 AND NEW.state <> 0 THEN
    ${apply(t, 'NEW', [touchScope, ['OLD.state', "''", '-1'], ['NEW.state', "''", '1']])}
  ELSEIF NEW.state <> OLD.state OR NEW.context_id <> OLD.context_id THEN
    ${apply(t, 'NEW', [touchScope])}
    IF NEW.state <> OLD.state THEN
      IF OLD.state <> 0 THEN ${apply(t, 'OLD', [['OLD.state', "''", '-1']])} END IF;
      IF NEW.state <> 0 THEN ${apply(t, 'NEW', [['NEW.state', "''", '1']])} END IF;
    END IF;
    IF NEW.context_id <> OLD.context_id THEN
      IF OLD.context_id <> '' THEN ${apply(t, 'OLD', [['0', 'OLD.context_id', '-1']])} END IF;
      IF NEW.context_id <> '' THEN ${apply(t, 'NEW', [['0', 'NEW.context_id', '1']])} END IF;
    END IF;
  END IF;`;
}

export function taskCountsTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.taskCounts} (
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  state TINYINT UNSIGNED NOT NULL,
  context_id VARBINARY(765) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (tenant, owner, state, context_id)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/**
 * The trigger statements, each idempotent as a pair (DROP IF EXISTS, then CREATE: MySQL 8.0
 * before 8.0.29 has no CREATE TRIGGER IF NOT EXISTS). Each is sent as one text query, so the
 * compound bodies need no client DELIMITER.
 */
export function taskCountTriggers(t: TableNames): string[] {
  const { insert, update, delete: remove } = t.countTriggers;
  return [
    `DROP TRIGGER IF EXISTS ${insert}`,
    `CREATE TRIGGER ${insert} AFTER INSERT ON ${t.tasks} FOR EACH ROW BEGIN
  ${countRow(t, 'NEW', '1')}
END`,
    `DROP TRIGGER IF EXISTS ${update}`,
    // BEFORE: a refused write stops before the row is touched.
    `CREATE TRIGGER ${update} BEFORE UPDATE ON ${t.tasks} FOR EACH ROW BEGIN
  ${moveRow(t)}
END`,
    `DROP TRIGGER IF EXISTS ${remove}`,
    `CREATE TRIGGER ${remove} AFTER DELETE ON ${t.tasks} FOR EACH ROW BEGIN
  ${countRow(t, 'OLD', '-1')}
END`,
  ];
}

/**
 * Recounts every counter from the rows, so a schema upgraded from a release without counters
 * (or a step re-run after a crash) starts exact. Run after the triggers exist; writers of an
 * older release must be stopped first, or their writes in between are not counted.
 */
export function recountTasks(t: TableNames): string[] {
  return [
    `DELETE FROM ${t.taskCounts}`,
    `INSERT INTO ${t.taskCounts} (tenant, owner, state, context_id, n)
SELECT tenant, owner, 0, '', COUNT(*) FROM ${t.tasks} GROUP BY tenant, owner
UNION ALL
SELECT tenant, owner, state, '', COUNT(*) FROM ${t.tasks} WHERE state <> 0 GROUP BY tenant, owner, state
UNION ALL
SELECT tenant, owner, 0, context_id, COUNT(*) FROM ${t.tasks} WHERE context_id <> '' GROUP BY tenant, owner, context_id`,
  ];
}

/**
 * Up to `?` counters that fell to zero (contexts whose tasks were purged), optionally in one
 * scope. A plain consistent read: it locks nothing, so writers never wait on the scan.
 */
export function zeroCounters(t: TableNames, inScope: boolean): string {
  return `SELECT tenant, owner, state, context_id FROM ${t.taskCounts} WHERE n = 0${inScope ? ' AND tenant = ? AND owner = ?' : ''} LIMIT ?`;
}

/**
 * Deletes the given counters by primary key if they are still zero: a writer that revived one
 * meanwhile fails the re-checked `n = 0`, and one that comes after re-creates it, so no count is
 * lost. Built per batch size, so it runs as a text query (keys travel as X'..' literals).
 */
export function deleteZeroCounters(
  t: TableNames,
  keys: readonly (readonly [Buffer, Buffer, number, Buffer])[],
): { sql: string; params: (Buffer | number)[] } {
  const tuples = keys.map(() => '(?, ?, ?, ?)').join(', ');
  return {
    sql: `DELETE FROM ${t.taskCounts} WHERE n = 0 AND (tenant, owner, state, context_id) IN (${tuples})`,
    params: keys.flat(),
  };
}

/** The counter subquery holding a list's total, for the filters core's `counterKeyForList` maps. */
export function counterTotal(t: TableNames): string {
  return `(SELECT COALESCE(SUM(n), 0) FROM ${t.taskCounts} WHERE tenant = ? AND owner = ? AND state = ? AND context_id = ?)`;
}
