import {
  CorruptRecordError,
  type Scope,
  type SqlTaskRecord,
  type TaskRow,
  type TaskSegment,
  toSafeInteger,
} from '@a2a-stores/core';
import type { PgExecutor, Statement } from './executor.js';

/** A task row as `get` (see `getTaskSql`) and `list` read it. */
export interface ReadTaskRecord extends SqlTaskRecord {
  readonly bytes: number | string | bigint;
  readonly lineage: string | null;
  readonly segment_count: number;
  readonly row_xmin: string;
  /** Set (and `body` NULL) on a row a list with `historyLength` read in its recent form. */
  readonly recent?: string | null;
}

/** A row of `rowSegmentsSql`: the row as it is now, and its segments. */
interface SegmentRecord {
  readonly id: string;
  readonly version: number | string | bigint;
  readonly sort_key: number | string | bigint;
  readonly bytes: number | string | bigint;
  readonly lineage: string | null;
  readonly segment_count: number;
  readonly unchanged: boolean;
  readonly body: string | null;
  /** Only from the statement for a list with `historyLength`: the current recent form of a
   * row rewritten in between whose recent form reaches it. */
  readonly recent?: string | null;
  readonly artifacts?: string | null;
  /** NULL entries where the row is read in its recent form (see `rowSegmentsSql`). */
  readonly segment_bodies: (string | null)[] | null;
  readonly segment_artifacts?: string[] | null;
}

/** A read row without segments, as the backend contract wants it. */
export function taskRowOf(record: ReadTaskRecord, includeArtifacts: boolean): TaskRow {
  // One literal of one shape, no spreads: a page maps every row through here.
  const { id } = record;
  const recent = isRecent(record);
  return {
    id,
    body: recent ? undefined : record.body,
    version: toSafeInteger(record.version, id, 'version'),
    sortKey: toSafeInteger(record.sort_key, id, 'sort_key'),
    artifacts: includeArtifacts ? record.artifacts : undefined,
    bytes: toSafeInteger(record.bytes, id, 'bytes'),
    lineage: record.lineage ?? undefined,
    recent: recent ? record.recent : undefined,
    segments: undefined,
  };
}

/** Read in its recent form: the list's `historyLength` was within the row's stored reach. */
function isRecent(record: { readonly recent?: string | null }): boolean {
  return record.recent !== undefined && record.recent !== null;
}

/**
 * `records` (read by one statement) as task rows, with the segments of those that have any
 * fetched by ONE more statement for all of them. Rows without segments cost nothing more. A row
 * rewritten between the two statements comes back as it is now (base and segments of one
 * version); a row deleted in between is left out. A row read in its recent form needs its
 * segments only for their artifacts: without artifacts it is complete as read. `historyLength`:
 * the list's, passed as $6 of `stmt` (the statement for such a page, with artifacts).
 */
export async function withSegments(
  db: PgExecutor,
  stmt: Statement,
  scope: Scope,
  records: readonly ReadTaskRecord[],
  includeArtifacts: boolean,
  historyLength?: number,
): Promise<TaskRow[]> {
  const needsSegments = (record: ReadTaskRecord) =>
    record.segment_count > 0 && (includeArtifacts || !isRecent(record));
  const segmented = records.filter(needsSegments);
  if (segmented.length === 0) return records.map((record) => taskRowOf(record, includeArtifacts));
  const values: unknown[] = [
    scope.tenant,
    scope.owner,
    segmented.map((record) => record.id),
    segmented.map((record) => record.row_xmin),
    segmented.map((record) => String(record.version)),
  ];
  if (historyLength !== undefined) values.push(historyLength);
  const found = await db.query<SegmentRecord>(stmt, values);
  const byId = new Map(found.map((record) => [record.id, record]));
  const rows: TaskRow[] = [];
  for (const record of records) {
    if (!needsSegments(record)) {
      rows.push(taskRowOf(record, includeArtifacts));
      continue;
    }
    const current = byId.get(record.id);
    if (current) rows.push(mergedRow(record, current, includeArtifacts));
  }
  return rows;
}

function mergedRow(read: ReadTaskRecord, now: SegmentRecord, includeArtifacts: boolean): TaskRow {
  // Unchanged: the base the first statement read is this version's, and was not sent again.
  const base = now.unchanged ? read : now;
  const recent = isRecent(base);
  // The shape of `taskRowOf`'s rows, so a page's rows share one.
  return {
    id: now.id,
    body: recent ? undefined : base.body,
    version: toSafeInteger(now.version, now.id, 'version'),
    sortKey: toSafeInteger(now.sort_key, now.id, 'sort_key'),
    artifacts: includeArtifacts ? base.artifacts : undefined,
    bytes: toSafeInteger(now.bytes, now.id, 'bytes'),
    lineage: now.lineage ?? undefined,
    recent: recent ? base.recent : undefined,
    segments: segmentsOf(now, includeArtifacts, recent),
  };
}

function segmentsOf(
  record: SegmentRecord,
  includeArtifacts: boolean,
  recent: boolean,
): TaskSegment[] {
  const bodies = record.segment_bodies ?? [];
  const artifacts = record.segment_artifacts ?? [];
  // seq runs 1..segment_count without gaps; fewer rows means a segment row was lost.
  if (
    bodies.length !== record.segment_count ||
    (includeArtifacts && artifacts.length !== bodies.length)
  ) {
    throw new CorruptRecordError(
      record.id,
      `${record.segment_count} segments recorded, ${bodies.length} stored`,
    );
  }
  // A recent row's segment bodies were not read (NULL): its recent form holds what they added.
  if (recent) return artifacts.map((ops) => ({ body: undefined, artifacts: ops }));
  return bodies.map((body, i) => (includeArtifacts ? { body, artifacts: artifacts[i] } : { body }));
}
