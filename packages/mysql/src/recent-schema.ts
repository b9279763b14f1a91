import { addColumnsIfMissing } from './add-columns.js';
import type { TableNames } from './options.js';

/*
 * Step 0006: the recent form of large tasks (core's `RecentHistory`), which `list` with a short
 * `historyLength` reads instead of the body.
 * - tasks.recent: the task's head and last messages, a task body of at most a few KiB (core
 *   keeps it to about 4 KiB of UTF-8). TEXT (64 KiB) leaves ample room, costs no more than
 *   LONGTEXT, and, unlike a long VARCHAR, adds almost nothing to InnoDB's 65,535-byte row size
 *   limit. utf8mb4_bin like the body, whose text it copies. Small enough to stay in the row
 *   next to the body's off-page pointer, so reading it costs the page the row is on.
 * - tasks.recent_reach: the largest historyLength the recent form answers exactly (core's
 *   RECENT_REACHES_ALL, 2^31 - 1, when it holds the whole history: INT's largest value).
 * Both NULL when the task has no recent form (small tasks, and every row written before this
 * step): such rows list as before.
 *
 * One ALTER (atomic DDL) adding nullable columns at the end of the row: both servers add them in
 * place, without a table copy; it runs only while the columns are missing (see add-columns.ts).
 */
export function recentHistorySteps(t: TableNames): string[] {
  const alter = `ALTER TABLE ${t.tasks} ADD COLUMN recent TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, ADD COLUMN recent_reach INT NULL`;
  return addColumnsIfMissing(t.tasks, 'recent', alter);
}
