import type { Pool } from 'mysql2/promise';
import { type MysqlStoreOptions, tableNames } from '../options.js';

/**
 * Drops every table of the stores created with `tablePrefix` (their triggers go with the tasks
 * table), for tests that give each run its own prefix. Irreversible: for tests only.
 *
 * @example
 * ```ts
 * import { dropMysqlTables } from '@a2a-stores/mysql/testing';
 * import { createPool } from 'mysql2/promise';
 *
 * const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306/test' });
 * await dropMysqlTables(pool, { tablePrefix: 'test_run_1_' });
 * ```
 */
export async function dropMysqlTables(
  pool: Pool,
  options: Pick<MysqlStoreOptions, 'tablePrefix'> = {},
): Promise<void> {
  const t = tableNames(options.tablePrefix);
  await pool.query(
    `DROP TABLE IF EXISTS ${t.tasks}, ${t.taskSegments}, ${t.taskCounts}, ${t.pushConfigs}, ${t.pushConfigSets}, ${t.leases}, ${t.messages}, ${t.migrations}, ${t.migrationLock}`,
  );
}
