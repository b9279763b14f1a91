import type { Scope, TaskSegment } from '@a2a-stores/core';
import type { Executor } from './executor.js';
import type { SegmentStatements, SegmentWindow } from './segment-statements.js';

/*
 * Why a window and not "all segments of the task": the row and its segments are two reads,
 * outside a transaction. Each segment's seq is the task version its append produced, so a row
 * read at version v with count c owns exactly seq v-c+1..v. An append that lands between the two
 * reads adds seq v+1 (outside the window); a full write that lands between them deletes the
 * window, and the read comes back short: the caller reads again (`undefined` here) instead of
 * pairing the old row with missing changes. Segments re-created after such a write carry versions
 * above v, so a stale window is never filled by another generation's segments.
 */

interface SegmentRecord {
  readonly task_id?: Buffer | string;
  readonly body: unknown;
  readonly artifacts?: unknown;
}

function toSegment(record: SegmentRecord, includeArtifacts: boolean): TaskSegment {
  return includeArtifacts
    ? { body: record.body, artifacts: record.artifacts }
    : { body: record.body };
}

/** The segments of one row, or `undefined` when a full write removed them after the row read. */
export async function readSegments(
  db: Pick<Executor, 'select'>,
  sql: SegmentStatements,
  scope: Scope,
  window: SegmentWindow,
  includeArtifacts: boolean,
): Promise<TaskSegment[] | undefined> {
  const records = await db.select<SegmentRecord>(
    includeArtifacts ? sql.readWithArtifacts : sql.read,
    [scope.tenant, scope.owner, window.id, window.version - window.count, window.version],
  );
  if (records.length !== window.count) return undefined;
  return records.map((record) => toSegment(record, includeArtifacts));
}

/**
 * The segments of every given row of one scope in one statement, by task id; `undefined` when
 * any window came back short (see above). The segments of a window marked `artifactsOnly` carry
 * their artifacts and no body.
 */
export async function readSegmentsOfPage(
  db: Executor,
  sql: SegmentStatements,
  scope: Scope,
  windows: readonly SegmentWindow[],
  includeArtifacts: boolean,
): Promise<Map<string, TaskSegment[]> | undefined> {
  const statement = sql.readMany(scope, windows, includeArtifacts);
  const records = await db.selectText<SegmentRecord>(statement.sql, statement.params);
  const byTask = new Map<string, TaskSegment[]>();
  const artifactsOnly = new Set(windows.filter((w) => w.artifactsOnly).map((w) => w.id));
  for (const record of records) {
    const id = Buffer.isBuffer(record.task_id)
      ? record.task_id.toString('utf8')
      : String(record.task_id);
    const segment = artifactsOnly.has(id)
      ? { body: undefined, artifacts: record.artifacts }
      : toSegment(record, includeArtifacts);
    const segments = byTask.get(id);
    if (segments) segments.push(segment);
    else byTask.set(id, [segment]);
  }
  for (const window of windows) {
    if (byTask.get(window.id)?.length !== window.count) return undefined;
  }
  return byTask;
}
