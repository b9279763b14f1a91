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
  /**
   * Only the segments' artifacts are wanted: the row was listed in its recent form, which
   * already holds the head and messages their bodies added.
   */
  readonly artifactsOnly?: boolean;
}

/** The statements of appended saves for one table prefix, built once. */
export class SegmentStatements {
  readonly insert: string;
  /** The row update of an append (its segment's seq is the version it produces). */
  readonly appendRow: string;
  /** {@link appendRow} that also stores the task's recent form (or NULL, none). */
  readonly appendRowWithRecent: string;
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
    const appendGuard = `WHERE ${key} AND version = ? AND lineage = ? AND NOT (state IN (${terminal}) AND state <> ?)`;
    this.appendRow = `UPDATE ${t.tasks}
SET context_id = ?, state = ?, sort_key = ?, updated_at = ?, bytes = ?, version = version + 1,
  segment_count = segment_count + 1
${appendGuard}`;
    // The recent form is a few KiB kept in the row: rewriting it leaves the body's pages alone.
    this.appendRowWithRecent = `UPDATE ${t.tasks}
SET context_id = ?, state = ?, sort_key = ?, updated_at = ?, bytes = ?, recent = ?, recent_reach = ?,
  version = version + 1, segment_count = segment_count + 1
${appendGuard}`;
    const window = `${taskKey} AND seq > ? AND seq <= ? ORDER BY seq`;
    this.read = `SELECT body FROM ${t.taskSegments} WHERE ${window}`;
    this.readWithArtifacts = `SELECT body, artifacts FROM ${t.taskSegments} WHERE ${window}`;
    this.deleteForTask = `DELETE FROM ${t.taskSegments} WHERE ${taskKey}`;
    this.lockState = `SELECT version, state, segment_count, lineage FROM ${t.tasks} WHERE ${key} FOR UPDATE`;
    this.compactRow = `UPDATE ${t.tasks}
SET context_id = ?, state = ?, sort_key = ?, updated_at = ?, body = ?, artifacts = ?, bytes = ?,
  lineage = ?, recent = ?, recent_reach = ?, version = version + 1, segment_count = 0
WHERE ${key}`;
  }

  /**
   * The segments of several rows of one scope in one statement (a list page), ordered by task
   * and seq. A text query: its shape varies with the page, and one prepared statement per shape
   * would pile up against max_prepared_stmt_count. Windows marked `artifactsOnly` (only with
   * `includeArtifacts`) come back with a NULL body, never read (see {@link bodyUnlessOnly}).
   */
  readMany(
    scope: Scope,
    windows: readonly SegmentWindow[],
    includeArtifacts: boolean,
  ): TextStatement {
    const tenant = Buffer.from(scope.tenant, 'utf8');
    const owner = Buffer.from(scope.owner, 'utf8');
    const only = windows.filter((w) => w.artifactsOnly).map((w) => Buffer.from(w.id, 'utf8'));
    const params: (Buffer | number)[] = [];
    let body = 'body';
    if (only.length === windows.length) body = 'NULL AS body';
    else if (only.length > 0) {
      body = this.bodyUnlessOnly(only.length);
      params.push(...only);
    }
    params.push(tenant, owner);
    const ranges = windows.map((w) => {
      params.push(Buffer.from(w.id, 'utf8'), w.version - w.count, w.version);
      return '(task_id = ? AND seq > ? AND seq <= ?)';
    });
    const columns = includeArtifacts ? `task_id, ${body}, artifacts` : `task_id, ${body}`;
    return {
      sql: `SELECT ${columns} FROM ${this.t.taskSegments} AS listed
WHERE tenant = ? AND owner = ? AND (${ranges.join(' OR ')})
ORDER BY task_id, seq`,
      params,
    };
  }

  /**
   * The body of each segment but those of the `count` task ids given first, through a subquery
   * on the segment's own key: InnoDB reads an off-page column named anywhere in the select
   * list, even in a branch the row never takes, while a subquery not taken never runs.
   */
  private bodyUnlessOnly(count: number): string {
    const ids = Array.from({ length: count }, () => '?').join(', ');
    return `IF(listed.task_id IN (${ids}), NULL, (SELECT whole.body FROM ${this.t.taskSegments} AS whole
  WHERE whole.tenant = listed.tenant AND whole.owner = listed.owner AND whole.task_id = listed.task_id
    AND whole.seq = listed.seq)) AS body`;
  }
}
