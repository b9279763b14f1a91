import type { Scope } from '@a2a-stores/core';
import type { TableNames } from './options.js';

/** A text-protocol statement: Buffers and numbers only (see `Executor.selectText`). */
export interface TextStatement {
  readonly sql: string;
  readonly params: (Buffer | number)[];
}

/** One row's segment window: the rows with `seq` in (`version - count`, `version`]. */
export interface SegmentWindow {
  readonly id: string;
  readonly version: number;
  readonly count: number;
}

/** The statements of appended saves for one table prefix, built once. */
export class SegmentStatements {
  readonly insert: string;
  /** The row update of an append (its segment's seq is the version it produces). */
  readonly appendRow: string;
  readonly read: string;
  readonly readWithArtifacts: string;
  readonly deleteForTask: string;
  /** The guard read of a full write over segments, locking the row for the transaction. */
  readonly lockState: string;
  readonly compactRow: string;

  constructor(
    private readonly t: TableNames,
    terminal: string,
  ) {
    const key = 'tenant = ? AND owner = ? AND id = ?';
    const taskKey = 'tenant = ? AND owner = ? AND task_id = ?';
    /*
     * A row left behind by an operator's DELETE of a task row (the stores always drop segments
     * with their task) may hold this seq of a task re-created under the same id: it is replaced,
     * and reads only ever look inside the current window, so it can never be read.
     */
    this.insert = `INSERT INTO ${t.taskSegments} (tenant, owner, task_id, seq, body, artifacts)
VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE body = VALUES(body), artifacts = VALUES(artifacts)`;
    /*
     * Never names body or artifacts: InnoDB keeps their off-page copies as they are, so an
     * append costs the size of its segment, not of the task. The compare-and-set and the
     * terminal guard sit in the WHERE clause as in a full write.
     */
    this.appendRow = `UPDATE ${t.tasks}
SET context_id = ?, state = ?, sort_key = ?, updated_at = ?, bytes = ?, version = version + 1,
  segment_count = segment_count + 1
WHERE ${key} AND version = ? AND lineage = ? AND NOT (state IN (${terminal}) AND state <> ?)`;
    const window = `${taskKey} AND seq > ? AND seq <= ? ORDER BY seq`;
    this.read = `SELECT body FROM ${t.taskSegments} WHERE ${window}`;
    this.readWithArtifacts = `SELECT body, artifacts FROM ${t.taskSegments} WHERE ${window}`;
    this.deleteForTask = `DELETE FROM ${t.taskSegments} WHERE ${taskKey}`;
    this.lockState = `SELECT version, state, segment_count, lineage FROM ${t.tasks} WHERE ${key} FOR UPDATE`;
    this.compactRow = `UPDATE ${t.tasks}
SET context_id = ?, state = ?, sort_key = ?, updated_at = ?, body = ?, artifacts = ?, bytes = ?,
  lineage = ?, version = version + 1, segment_count = 0
WHERE ${key}`;
  }

  /**
   * The segments of several rows of one scope in one statement (a list page), ordered by task
   * and seq. A text query: its shape varies with the page, and one prepared statement per shape
   * would pile up against max_prepared_stmt_count.
   */
  readMany(
    scope: Scope,
    windows: readonly SegmentWindow[],
    includeArtifacts: boolean,
  ): TextStatement {
    const params: (Buffer | number)[] = [
      Buffer.from(scope.tenant, 'utf8'),
      Buffer.from(scope.owner, 'utf8'),
    ];
    const ranges = windows.map((w) => {
      params.push(Buffer.from(w.id, 'utf8'), w.version - w.count, w.version);
      return '(task_id = ? AND seq > ? AND seq <= ?)';
    });
    const columns = includeArtifacts ? 'task_id, body, artifacts' : 'task_id, body';
    return {
      sql: `SELECT ${columns} FROM ${this.t.taskSegments}
WHERE tenant = ? AND owner = ? AND (${ranges.join(' OR ')})
ORDER BY task_id, seq`,
      params,
    };
  }
}
