import type { KnownTaskVersion, TaskRow } from './backend.js';

/** Whether a stored row's version and lineage are the ones the caller passed as `known`. */
export function isKnownVersion(
  version: number,
  lineage: string | null | undefined,
  known: KnownTaskVersion | undefined,
): boolean {
  return known !== undefined && version === known.version && lineage === known.lineage;
}

/** The row `TaskBackend.get` answers when the task is as the caller knows it. */
export function unchangedTaskRow(row: {
  readonly id: string;
  readonly version: number;
  readonly sortKey: number;
  readonly bytes: number;
  readonly lineage: string;
}): TaskRow {
  return {
    id: row.id,
    body: undefined,
    version: row.version,
    sortKey: row.sortKey,
    bytes: row.bytes,
    lineage: row.lineage,
    unchanged: true,
  };
}
