import type { KnownTaskVersion, TaskRow } from './backend.js';
import { toSafeInteger } from './sql/task-rows.js';

/** Whether a stored row's version and lineage are the ones the caller passed as `known`. */
export function isKnownVersion(
  version: number,
  lineage: string | null | undefined,
  known: KnownTaskVersion | undefined,
): boolean {
  return known !== undefined && version === known.version && lineage === known.lineage;
}

/**
 * The row `TaskBackend.get` answers when the task is as the caller knows it: the `known` version
 * and lineage, and the row's sort key and stored size as the database returned them.
 */
export function unchangedTaskRow(
  id: string,
  known: KnownTaskVersion,
  sortKey: number | string | bigint,
  bytes: number | string | bigint,
): TaskRow {
  return {
    id,
    body: undefined,
    version: known.version,
    sortKey: toSafeInteger(sortKey, id, 'sort key'),
    bytes: toSafeInteger(bytes, id, 'bytes'),
    lineage: known.lineage,
    unchanged: true,
  };
}
