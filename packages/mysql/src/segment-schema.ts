import { addColumnsIfMissing } from './add-columns.js';
import type { TableNames } from './options.js';

/*
 * Step 0005: appended saves (`TaskBackend.append`).
 * - tasks.segment_count: how many segments the row has since its last full write. `get` reads it
 *   with the row, so a task without segments is still one query; a full write is refused by its
 *   one-statement guard while it is non-zero and takes the transactional path that drops them.
 * - tasks.bytes and tasks.lineage: the task's size and the lineage of its last full write, as
 *   core computed them ('' and 0 for rows written before this step, which core then rewrites
 *   whole before it appends). The lineage is ASCII (base64url): a string, not a Buffer, to read.
 * - task_segments: one row per append, `seq` the task version that append produced, so the
 *   segments of a row at version v with count c are exactly seq v-c+1..v (see segment-reads.ts).
 *   body/artifacts LONGTEXT like the task's, artifacts '' when the append changed none.
 *
 * The ALTER runs only while the columns are missing (see add-columns.ts). The columns come in
 * one ALTER (atomic DDL), at the end of the row, which both servers add in place without a
 * table copy.
 */
export function taskSegmentSteps(t: TableNames): string[] {
  const alter = `ALTER TABLE ${t.tasks} ADD COLUMN segment_count INT UNSIGNED NOT NULL DEFAULT 0, ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0, ADD COLUMN lineage VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''`;
  return [
    ...addColumnsIfMissing(t.tasks, 'segment_count', alter),
    `CREATE TABLE IF NOT EXISTS ${t.taskSegments} (
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  task_id VARBINARY(765) NOT NULL,
  seq BIGINT UNSIGNED NOT NULL,
  body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  artifacts LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (tenant, owner, task_id, seq)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ];
}
