import { type TaskRow, toSafeInteger } from '@a2a-stores/core';
import {
  type SegmentedTaskRecord,
  type SegmentRecord,
  splitSegmentRows,
  storedLineage,
} from './segments.js';

/**
 * A task row as a page asked with a `historyLength` selects it, in raw mode (see
 * `RawTaskRecord`): the row columns, its recent reach, then its recent form or its body (one
 * column: which one the reach tells), then artifacts when asked.
 */
export type RawListedRecord = readonly [
  id: string,
  version: number | bigint,
  sortKey: number | bigint,
  segmentCount: number | bigint,
  baseInSegments: number | bigint,
  bytes: number | bigint,
  lineage: string,
  recentReach: number | bigint | null,
  text: unknown,
  artifacts?: unknown,
];

/** A listed row: `recent` set (and `body` undefined) when the row came in its recent form. */
export interface ListedTaskRecord extends SegmentedTaskRecord {
  readonly recent?: unknown;
}

/**
 * Maps a raw listed row. The text column holds the recent form exactly when the reach is at
 * least `historyLength`: the same comparison as the query's CASE, and a NULL reach is neither.
 */
export function fromRawListedRecord(raw: RawListedRecord, historyLength: number): ListedTaskRecord {
  const reach = raw[7];
  const isRecent = reach !== null && toSafeInteger(reach, raw[0], 'recent_reach') >= historyLength;
  // One literal of one shape for both forms: spreading into two shapes makes every later
  // property read of a page's rows polymorphic.
  return {
    id: raw[0],
    version: raw[1],
    sort_key: raw[2],
    segment_count: raw[3],
    base_in_segments: raw[4],
    bytes: raw[5],
    lineage: raw[6],
    body: isRecent ? undefined : raw[8],
    recent: isRecent ? raw[8] : undefined,
    artifacts: raw[9],
  };
}

/**
 * The backend row of a task listed in its recent form: no body, and with artifacts asked, the
 * base's artifacts (from the row, or from seq 0 when the base lives there) and each appended
 * segment's artifacts, from `segmentRows` read without their bodies. Without artifacts nothing
 * of the segments is needed: the recent form already holds the messages they added.
 */
export function toRecentTaskRow(
  record: ListedTaskRecord,
  segmentRows: readonly SegmentRecord[],
  includeArtifacts: boolean,
): TaskRow {
  const { id } = record;
  const split = includeArtifacts ? splitSegmentRows(record, segmentRows) : undefined;
  const appended = split?.appended ?? [];
  return {
    id,
    body: undefined,
    version: toSafeInteger(record.version, id, 'version'),
    sortKey: toSafeInteger(record.sort_key, id, 'sort_key'),
    artifacts: split ? (split.base ? split.base.artifacts : record.artifacts) : undefined,
    bytes: toSafeInteger(record.bytes, id, 'bytes'),
    lineage: storedLineage(record.lineage),
    recent: record.recent,
    segments:
      appended.length > 0
        ? appended.map((s) => ({ body: undefined, artifacts: s.artifacts }))
        : undefined,
  };
}
