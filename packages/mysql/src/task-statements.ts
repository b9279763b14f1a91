import {
  type BackendListQuery,
  buildListPredicates,
  type Scope,
  TERMINAL_STATES,
} from '@a2a-stores/core';
import { scopeTotal, zeroCounters } from './counter-sql.js';
import type { SqlValue } from './executor.js';
import { keysIn } from './key-tuples.js';
import type { TableNames } from './options.js';

/** Terminal TaskState numbers, inlined as literals (they are constants, not input). */
export const TERMINAL = TERMINAL_STATES.join(', ');

/**
 * True when the stored row may not take the incoming state: core's `isStaleTransition` in SQL.
 * Reads only `state`, which the upsert assigns last, so it sees the stored value whether the
 * server evaluates assignments left to right (MySQL) or all at once (MariaDB's
 * SIMULTANEOUS_ASSIGNMENT mode).
 */
const STALE = `(state IN (${TERMINAL}) AND state <> VALUES(state))`;

const TASK_COLUMNS =
  'tenant, owner, id, context_id, state, sort_key, version, updated_at, body, artifacts, bytes, lineage, recent, recent_reach';
const TASK_VALUES = '?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?';

/**
 * A full write the one-statement upsert must leave to the transactional path: stale, or over a
 * row with segments (which the same write must drop). `segment_count` is never assigned by the
 * upsert (a write it lets through finds it 0 already), so every assignment reads the stored one.
 */
const BLOCKED = `(${STALE} OR segment_count > 0)`;

/** The index each list shape walks, so the plan never depends on table statistics. */
function listIndex(query: Pick<BackendListQuery, 'contextId' | 'state'>): string {
  if (query.contextId !== '') return 'tasks_by_context';
  if (query.state !== 0) return 'tasks_by_state';
  return 'tasks_by_time';
}

/**
 * A LIMIT placeholder's value, as a decimal string: MySQL 8.0.22+ refuses a DOUBLE there (how
 * drivers send JS numbers unless the server hints an integer type), and both servers accept a
 * string.
 */
function limitParam(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`bad LIMIT ${limit}`);
  return String(limit);
}

export interface Statement {
  readonly sql: string;
  readonly params: SqlValue[];
}

/** The task statements for one table prefix, built once. */
export class TaskStatements {
  readonly get: string;
  readonly getWithArtifacts: string;
  readonly getVersion: string;
  readonly insert: string;
  readonly upsert: string;
  readonly updateIfVersion: string;
  readonly readState: string;
  readonly deleteTask: string;
  readonly deleteConfigSet: string;
  readonly deleteConfigs: string;
  readonly zeroCounters: string;
  readonly zeroCountersInScope: string;
  /** The `body` and `recent` of a page that asked for a short history (see the constructor). */
  private readonly recentOrBody: string;

  constructor(private readonly t: TableNames) {
    const key = 'tenant = ? AND owner = ? AND id = ?';
    const taskKey = 'tenant = ? AND owner = ? AND task_id = ?';
    // The segment count comes with the row: a task without segments stays one query.
    this.get = `SELECT version, sort_key, body, segment_count, bytes, lineage FROM ${t.tasks} WHERE ${key}`;
    this.getWithArtifacts = `SELECT version, sort_key, body, artifacts, segment_count, bytes, lineage FROM ${t.tasks} WHERE ${key}`;
    // Names neither body nor artifacts: InnoDB reads a column kept off-page whenever the select
    // list names it, even inside an expression that discards it.
    this.getVersion = `SELECT version, sort_key, bytes, lineage FROM ${t.tasks} WHERE ${key}`;
    this.insert = `INSERT INTO ${t.tasks} (${TASK_COLUMNS}) VALUES (${TASK_VALUES})`;
    /*
     * The plain save, in one statement. ON DUPLICATE KEY UPDATE has pitfalls we sidestep:
     * - affectedRows is 1 (insert), 2 (update) or 0/1 (row unchanged, depending on the
     *   CLIENT_FOUND_ROWS flag your pool may or may not set). A written update always bumps
     *   `version`, so it always reports 2; a refused (stale) one changes nothing and reports its
     *   stored version through LAST_INSERT_ID(expr), which the OK packet carries as insertId,
     *   while a fresh insert reports insertId 0. So the outcome never depends on the flag.
     * - There is no AUTO_INCREMENT column, so no id gaps; the primary key is the only unique
     *   key, so there is no ambiguity about which row is updated.
     * - The new version comes back in the same round trip (LAST_INSERT_ID), no second read.
     * VALUES(col) is deprecated in MySQL 8.0.20+ in favour of a row alias MariaDB does not
     * parse; it still works on both, and sending the 4 MiB body twice would not.
     */
    this.upsert = `INSERT INTO ${t.tasks} (${TASK_COLUMNS}) VALUES (${TASK_VALUES})
ON DUPLICATE KEY UPDATE
  context_id = IF(${BLOCKED}, context_id, VALUES(context_id)),
  sort_key = IF(${BLOCKED}, sort_key, VALUES(sort_key)),
  updated_at = IF(${BLOCKED}, updated_at, VALUES(updated_at)),
  body = IF(${BLOCKED}, body, VALUES(body)),
  artifacts = IF(${BLOCKED}, artifacts, VALUES(artifacts)),
  bytes = IF(${BLOCKED}, bytes, VALUES(bytes)),
  lineage = IF(${BLOCKED}, lineage, VALUES(lineage)),
  recent = IF(${BLOCKED}, recent, VALUES(recent)),
  recent_reach = IF(${BLOCKED}, recent_reach, VALUES(recent_reach)),
  version = LAST_INSERT_ID(IF(${BLOCKED}, version, version + 1)),
  state = IF(${BLOCKED}, state, VALUES(state))`;
    // Compare-and-set and the terminal guard in the WHERE clause: one statement, one row lock.
    // A row with segments is refused too: the failure path drops them in a transaction.
    this.updateIfVersion = `UPDATE ${t.tasks}
SET context_id = ?, state = ?, sort_key = ?, updated_at = ?, body = ?, artifacts = ?, bytes = ?, lineage = ?,
  recent = ?, recent_reach = ?, version = version + 1
WHERE ${key} AND version = ? AND NOT (state IN (${TERMINAL}) AND state <> ?) AND segment_count = 0`;
    this.readState = `SELECT version, state, segment_count, lineage FROM ${t.tasks} WHERE ${key}`;
    this.deleteTask = `DELETE FROM ${t.tasks} WHERE ${key}`;
    this.deleteConfigSet = `DELETE FROM ${t.pushConfigSets} WHERE ${taskKey}`;
    this.deleteConfigs = `DELETE FROM ${t.pushConfigs} WHERE ${taskKey}`;
    this.zeroCounters = zeroCounters(t, false);
    this.zeroCountersInScope = zeroCounters(t, true);
    /*
     * A row whose recent form reaches the asked history length returns it and no body; any
     * other row its body, as a plain page does. The body comes through a subquery on the row's
     * own key, not as `IF(reached, NULL, body)`: InnoDB reads an off-page column whenever the
     * select list names it, even in a branch the row never takes, while a subquery in the branch
     * not taken never runs, so a reached row's body pages are never read (measured on MariaDB
     * 10.11: a page of 10 rows of 1 MB, half of them reached, read 344 pages instead of 642).
     * One statement still: the page, its bodies and its total come from one snapshot.
     */
    const reached = 'listed.recent_reach >= ?';
    this.recentOrBody = `IF(${reached}, NULL, (SELECT whole.body FROM ${t.tasks} AS whole
    WHERE whole.tenant = listed.tenant AND whole.owner = listed.owner AND whole.id = listed.id)) AS body,
  IF(${reached}, listed.recent, NULL) AS recent`;
  }

  /**
   * One page plus its exact total in one statement (one snapshot). The total is an uncorrelated
   * subquery the server evaluates once: the scope's count row (one primary-key read) when there
   * is no filter, else a count of the entries of the index the page walks, bounded by the
   * filter (index-only; no row, body or artifacts is read to count).
   */
  listPage(scope: Scope, query: BackendListQuery): Statement {
    const where = this.listWhere(scope, query);
    const total = this.totalOf(scope, query, where);
    const cursorParams: SqlValue[] = [];
    const keyset = buildListPredicates(
      { contextId: '', state: 0, after: null, cursor: query.cursor },
      (value) => {
        cursorParams.push(value);
        return '?';
      },
      { rowComparison: false },
    );
    const history = query.historyLength;
    const texts = history === undefined ? 'body' : this.recentOrBody;
    const columns = query.includeArtifacts
      ? `id, sort_key, version, ${texts}, artifacts, segment_count, bytes, lineage`
      : `id, sort_key, version, ${texts}, segment_count, bytes, lineage`;
    const reach: SqlValue[] = history === undefined ? [] : [history, history];
    return {
      sql: `SELECT ${columns}, ${total.sql} AS total
FROM ${this.t.tasks} AS listed FORCE INDEX (${listIndex(query)})
WHERE ${where.sql}${keyset.cursor ? ` AND ${keyset.cursor}` : ''}
ORDER BY sort_key DESC, id DESC
LIMIT ?`,
      params: [
        ...reach,
        ...total.params,
        ...where.params,
        ...cursorParams,
        limitParam(query.limit),
      ],
    };
  }

  /** The total alone, for the rare page that comes back empty after a cursor. */
  listTotal(scope: Scope, query: BackendListQuery): Statement {
    const total = this.totalOf(scope, query, this.listWhere(scope, query));
    return { sql: `SELECT ${total.sql} AS total`, params: total.params };
  }

  private totalOf(scope: Scope, query: BackendListQuery, where: Statement): Statement {
    if (query.contextId === '' && query.state === 0 && query.after === null) {
      return { sql: scopeTotal(this.t), params: [scope.tenant, scope.owner] };
    }
    return {
      sql: `(SELECT COUNT(*) FROM ${this.t.tasks} FORCE INDEX (${listIndex(query)}) WHERE ${where.sql})`,
      params: where.params,
    };
  }

  private listWhere(scope: Scope, query: BackendListQuery): Statement {
    const params: SqlValue[] = [scope.tenant, scope.owner];
    const { filters } = buildListPredicates(
      { contextId: query.contextId, state: query.state, after: query.after, cursor: null },
      (value) => {
        params.push(value);
        return '?';
      },
      { rowComparison: false },
    );
    return { sql: ['tenant = ?', 'owner = ?', ...filters].join(' AND '), params };
  }

  /** A batch of purgeable tasks, locked until the transaction deletes them. */
  purgeBatch(
    states: readonly number[],
    olderThan: number,
    scope: Scope | undefined,
    limit: number,
  ): Statement {
    const inStates = states.map(() => '?').join(', ');
    const inScope = scope ? ' AND tenant = ? AND owner = ?' : '';
    return {
      sql: `SELECT tenant, owner, id FROM ${this.t.tasks}
WHERE state IN (${inStates}) AND updated_at < ?${inScope}
LIMIT ? FOR UPDATE`,
      params: [
        ...states,
        olderThan,
        ...(scope ? [scope.tenant, scope.owner] : []),
        limitParam(limit),
      ],
    };
  }

  /** Deletes from `table` the rows of the given task keys (see {@link keysIn}). */
  deleteKeys(
    table: 'tasks' | 'taskSegments' | 'pushConfigs' | 'pushConfigSets',
    keys: readonly (readonly [Buffer, Buffer, Buffer])[],
  ): { sql: string; params: Buffer[] } {
    const idColumn = table === 'tasks' ? 'id' : 'task_id';
    const match = keysIn(['tenant', 'owner', idColumn], keys);
    return { sql: `DELETE FROM ${this.t[table]} WHERE ${match.sql}`, params: match.params };
  }
}
