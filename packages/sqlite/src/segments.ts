import {
  CorruptRecordError,
  type SqlTaskRecord,
  type TaskRow,
  type TaskSegment,
  toSafeInteger,
} from '@a2a-stores/core';
import type { SchemaNames } from './sql.js';

/**
 * Size (core's `EncodedTask.bytes`) from which a task's body and artifacts leave its tasks row
 * for the segments table (seq 0). SQLite rewrites a record, overflow pages included, on an
 * UPDATE of any of its columns (measured, WAL, synchronous=FULL: ~6-7.5 ms to update the small
 * columns of a 1 MB row vs ~0.3-1.3 ms for a 1 KB row), so an append must not update a row
 * that holds a big base. Core appends only to tasks of at least 8 KiB (its APPEND_MIN_BYTES):
 * smaller tasks, most of them, are always written whole and keep their base in the row, with
 * the statements they had before segments. Were core to append to a smaller task, its UPDATE
 * would still rewrite under 8 KiB: bounded, never the size of a big task.
 */
export const INLINE_BASE_LIMIT = 8 * 1024;

/** A task row as `get` and `list` select it. */
export interface SegmentedTaskRecord extends SqlTaskRecord {
  readonly segment_count: number | bigint;
  readonly base_in_segments: number | bigint;
  readonly bytes: number | string | bigint;
  /** `''` for rows written before appends existed. */
  readonly lineage: string;
}

/**
 * A task row as `get` reads it: an array in the order of the selected columns (id, version,
 * sort_key, segment_count, base_in_segments, bytes, lineage, body, then artifacts when asked), in
 * better-sqlite3's raw mode. Building a row object with named keys in the driver costs more
 * per column than the SELECT of a small task does, and the segment columns would make every
 * point read pay for it.
 */
export type RawTaskRecord = readonly [
  id: string,
  version: number | bigint,
  sortKey: number | bigint,
  segmentCount: number | bigint,
  baseInSegments: number | bigint,
  bytes: number | bigint,
  lineage: string,
  body: unknown,
  artifacts?: unknown,
];

/**
 * The lineage core gets for a stored `lineage` column: rows written before appends existed hold
 * `''`, which is no lineage at all, so core never appends to them.
 */
export function storedLineage(column: string): string | undefined {
  return column === '' ? undefined : column;
}

export function fromRawRecord(raw: RawTaskRecord): SegmentedTaskRecord {
  return {
    id: raw[0],
    version: raw[1],
    sort_key: raw[2],
    segment_count: raw[3],
    base_in_segments: raw[4],
    bytes: raw[5],
    lineage: raw[6],
    body: raw[7],
    artifacts: raw[8],
  };
}

/**
 * The row of a task without segments rows, built straight from the raw tuple: the common load
 * (a small task) makes one object, not a record and then a row. Undefined when the task has
 * segments rows, which {@link toSegmentedTaskRow} maps once they are read.
 */
export function wholeTaskRowOf(raw: RawTaskRecord, includeArtifacts: boolean): TaskRow | undefined {
  if (Number(raw[3]) > 0 || Number(raw[4]) !== 0) return undefined;
  const id = raw[0];
  return {
    id,
    body: raw[7],
    version: toSafeInteger(raw[1], id, 'version'),
    sortKey: toSafeInteger(raw[2], id, 'sort_key'),
    artifacts: includeArtifacts ? raw[8] : undefined,
    bytes: toSafeInteger(raw[5], id, 'bytes'),
    lineage: storedLineage(raw[6]),
    recent: undefined,
    segments: undefined,
  };
}

/**
 * A segments row; `task_id` only in the queries for a page, `body` absent only in the one that
 * reads artifacts alone (rows listed in their recent form).
 */
export interface SegmentRecord {
  readonly task_id?: string;
  readonly seq: number;
  readonly body?: string;
  readonly artifacts?: string;
}

/** Whether the row has rows in the segments table (appended ones, or its base as seq 0). */
export function hasSegmentRows(record: {
  readonly segment_count: number | bigint;
  readonly base_in_segments: number | bigint;
}): boolean {
  return Number(record.segment_count) > 0 || Number(record.base_in_segments) !== 0;
}

/**
 * Segment statements. `insert` takes tenant, owner, task_id, seq, body, artifacts; the others
 * the task key. `ofTasks` reads the segments of several tasks of one scope at once (their ids
 * as a JSON array), so a page costs one extra query whatever its size.
 */
export function segmentStatements(n: SchemaNames) {
  const task = 'tenant = ? AND owner = ? AND task_id = ?';
  const tasks = 'tenant = ? AND owner = ? AND task_id IN (SELECT value FROM json_each(?))';
  return {
    insert: `INSERT INTO ${n.segments} (tenant, owner, task_id, seq, body, artifacts)
      VALUES (?, ?, ?, ?, ?, ?)`,
    deleteOfTask: `DELETE FROM ${n.segments} WHERE ${task}`,
    ofTask: `SELECT seq, body FROM ${n.segments} WHERE ${task} ORDER BY seq`,
    ofTaskWithArtifacts: `SELECT seq, body, artifacts FROM ${n.segments} WHERE ${task} ORDER BY seq`,
    ofTasks: `SELECT task_id, seq, body FROM ${n.segments} WHERE ${tasks} ORDER BY task_id, seq`,
    ofTasksWithArtifacts: `SELECT task_id, seq, body, artifacts FROM ${n.segments}
      WHERE ${tasks} ORDER BY task_id, seq`,
    /**
     * The artifacts alone, for rows a page returns in their recent form: their segment bodies
     * (the seq 0 base's too) are never read into the process, only the artifacts after them.
     */
    artifactsOfTasks: `SELECT task_id, seq, artifacts FROM ${n.segments}
      WHERE ${tasks} ORDER BY task_id, seq`,
  };
}

/**
 * A row's segments rows (in seq order) split into its base (seq 0, when the row keeps it there;
 * undefined when the base is in the row) and the segments appended after it, checked against
 * the row's flags so a missing row reads as corrupt, never as a shorter task.
 */
export function splitSegmentRows(
  record: SegmentedTaskRecord,
  segmentRows: readonly SegmentRecord[],
): { base: SegmentRecord | undefined; appended: readonly SegmentRecord[] } {
  let base: SegmentRecord | undefined;
  let appended = segmentRows;
  if (Number(record.base_in_segments) !== 0) {
    const first = segmentRows[0];
    if (first?.seq !== 0) throw new CorruptRecordError(record.id, 'its stored base is missing');
    base = first;
    appended = segmentRows.slice(1);
  }
  if (appended.length !== Number(record.segment_count)) {
    throw new CorruptRecordError(record.id, 'its stored segments are incomplete');
  }
  return { base, appended };
}

/**
 * Maps a row and its segments rows (in seq order) to the backend contract's row: the base from
 * seq 0 when the row keeps it there, the appended segments after it.
 */
export function toSegmentedTaskRow(
  record: SegmentedTaskRecord,
  segmentRows: readonly SegmentRecord[],
  includeArtifacts: boolean,
): TaskRow {
  const { id } = record;
  const split =
    segmentRows.length === 0 && !hasSegmentRows(record)
      ? undefined
      : splitSegmentRows(record, segmentRows);
  const base: { body?: unknown; artifacts?: unknown } = split?.base ?? record;
  const appended = split?.appended ?? [];
  // One literal of one shape (see `wholeTaskRowOf`), whatever the row holds.
  return {
    id,
    body: base.body,
    version: toSafeInteger(record.version, id, 'version'),
    sortKey: toSafeInteger(record.sort_key, id, 'sort_key'),
    artifacts: includeArtifacts ? base.artifacts : undefined,
    bytes: toSafeInteger(record.bytes, id, 'bytes'),
    lineage: storedLineage(record.lineage),
    recent: undefined,
    segments:
      appended.length > 0
        ? appended.map(
            (s): TaskSegment =>
              includeArtifacts ? { body: s.body, artifacts: s.artifacts } : { body: s.body },
          )
        : undefined,
  };
}
