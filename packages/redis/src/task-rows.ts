import type { TaskRow, TaskSegment } from '@a2a-stores/core';
import { decodeSortKey, SORT_KEY_WIDTH } from './keys.js';

/** A script reply: bulk strings, and integers for counts. */
export type Reply = (string | number)[];

/** Task hash fields `get` reads first: version, sort key, body, size, segment count, lineage. */
export const GET_FIELDS = ['v', 'k', 'b', 'z', 'n', 'l'] as const;
/** {@link GET_FIELDS} and the artifacts. */
export const GET_FIELDS_WITH_ARTIFACTS = ['v', 'k', 'b', 'z', 'n', 'l', 'a'] as const;

/** What `get` reads first when the caller knows a version: version, sort key, size, lineage. */
export const VERSION_FIELDS = ['v', 'k', 'z', 'l'] as const;

/** Whether a `get`'s first read saw segments, so the row must be read again with them. */
export function hasSegments(reply: (string | null)[]): boolean {
  const count = reply[4];
  return count !== null && count !== undefined && count !== '0' && reply[0] !== null;
}

/**
 * A task read by `get` without segments: the HMGET reply of {@link GET_FIELDS} (and `a` when
 * asked for). Tasks written before appends existed have no size (0, "unknown") and no lineage.
 */
export function taskRowOf(
  id: string,
  [version, sortKey, body, bytes, , lineage, artifacts]: (string | null)[],
  includeArtifacts: boolean,
): TaskRow | undefined {
  if (version === null || version === undefined) return undefined;
  if (!includeArtifacts) {
    return {
      id,
      version: Number(version),
      sortKey: decodeSortKey(sortKey ?? ''),
      body: body ?? undefined,
      bytes: Number(bytes ?? 0),
      lineage: lineage ?? undefined,
    };
  }
  return {
    id,
    version: Number(version),
    sortKey: decodeSortKey(sortKey ?? ''),
    body: body ?? undefined,
    // A missing field is corruption, not "no artifacts": '' makes the codec say so.
    artifacts: artifacts ?? '',
    bytes: Number(bytes ?? 0),
    lineage: lineage ?? undefined,
  };
}

/** A lineage from a script reply, where '' stands for a hash without one. */
function lineageOf(value: string | number | undefined): string | undefined {
  return value === '' || value === undefined ? undefined : String(value);
}

/**
 * Reads `count` segments at `at` in a script reply: `count` bodies, then `count` artifacts when
 * they were asked for. Returns the segments and the offset after them.
 */
function segmentsAt(
  reply: Reply,
  at: number,
  count: number,
  includeArtifacts: boolean,
): [TaskSegment[], number] {
  const segments: TaskSegment[] = [];
  for (let i = 0; i < count; i++) {
    const body = String(reply[at + i]);
    segments.push(includeArtifacts ? { body, artifacts: String(reply[at + count + i]) } : { body });
  }
  return [segments, at + (includeArtifacts ? 2 * count : count)];
}

/** A task read by getTaskWithSegmentsScript (see lua/segment-scripts.ts). */
export function segmentedTaskRowOf(
  id: string,
  reply: Reply,
  includeArtifacts: boolean,
): TaskRow | undefined {
  if (reply.length === 0) return undefined;
  const [version, sortKey, body, artifacts, bytes, lineage, count] = reply;
  const [segments] = segmentsAt(reply, 7, Number(count), includeArtifacts);
  return {
    id,
    version: Number(version),
    sortKey: decodeSortKey(String(sortKey)),
    body: String(body),
    ...(includeArtifacts ? { artifacts: String(artifacts) } : {}),
    bytes: Number(bytes),
    lineage: lineageOf(lineage),
    ...(segments.length > 0 ? { segments } : {}),
  };
}

/** `count` segments of a recent row: their artifacts only, at `at` (see listTasksScript). */
function artifactSegmentsAt(reply: Reply, at: number, count: number): [TaskSegment[], number] {
  const segments: TaskSegment[] = [];
  for (let i = 0; i < count; i++)
    segments.push({ body: undefined, artifacts: String(reply[at + i]) });
  return [segments, at + count];
}

/** The rows of a listTasksScript reply (see lua/task-scripts.ts), after its total. */
export function listRowsOf(reply: Reply, includeArtifacts: boolean): TaskRow[] {
  const rows: TaskRow[] = [];
  let i = 1;
  while (i < reply.length) {
    const member = String(reply[i]);
    const version = String(reply[i + 1]);
    const text = String(reply[i + 2]);
    const artifacts = includeArtifacts ? String(reply[i + 3]) : undefined;
    i += includeArtifacts ? 4 : 3;
    const bytes = Number(reply[i]);
    const lineage = lineageOf(reply[i + 1]);
    // 'r': the text is the recent form and the segments are artifacts only (never bodies).
    const recent = reply[i + 2] === 'r';
    const count = Number(reply[i + 3]);
    const [segments, next] = recent
      ? artifactSegmentsAt(reply, i + 4, count)
      : segmentsAt(reply, i + 4, count, includeArtifacts);
    i = next;
    rows.push({
      id: member.slice(SORT_KEY_WIDTH),
      sortKey: decodeSortKey(member.slice(0, SORT_KEY_WIDTH)),
      version: Number(version),
      // An index entry whose task hash is gone decodes as a corrupt record (skipped, reported).
      body: version === '' || recent ? undefined : text,
      ...(recent ? { recent: text } : {}),
      ...(artifacts === undefined ? {} : { artifacts }),
      bytes,
      lineage,
      ...(segments.length > 0 ? { segments } : {}),
    });
  }
  return rows;
}
