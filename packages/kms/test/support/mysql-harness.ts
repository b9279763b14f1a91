import { randomBytes } from 'node:crypto';
import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import { createMysqlStores, type TableNames, tableNames } from '@a2a-stores/mysql';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool, type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import type { SharedBackendHarness } from './inner-harnesses.js';

/** Throws unless a probe write hit exactly one row: a missed row would make a test lie. */
function expectOneRow(result: ResultSetHeader, what: string): void {
  if (result.affectedRows !== 1)
    throw new Error(`probe: expected to change one ${what} row, changed ${result.affectedRows}`);
}

/** Reads and damages the adapter's rows with plain SQL, behind the stores' back. */
function mysqlProbe(pool: Pool, t: TableNames): RawProbe {
  const task = 'tenant = ? AND owner = ? AND id = ?';
  const config = 'tenant = ? AND owner = ? AND task_id = ?';
  const key = (scope: Scope, taskId: string) => [scope.tenant, scope.owner, taskId];
  return {
    async corruptTask(scope, taskId) {
      const [result] = await pool.execute<ResultSetHeader>(
        `UPDATE ${t.tasks} SET body = '{"id": truncated' WHERE ${task}`,
        key(scope, taskId),
      );
      expectOneRow(result, 'task');
    },
    async corruptPushConfig(scope, taskId, configId) {
      const [result] = await pool.execute<ResultSetHeader>(
        `UPDATE ${t.pushConfigs} SET json = 'not json' WHERE ${config} AND config_id = ?`,
        [...key(scope, taskId), configId],
      );
      expectOneRow(result, 'push config');
    },
    async readTaskRaw(scope, taskId) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT context_id, body, artifacts FROM ${t.tasks} WHERE ${task}`,
        key(scope, taskId),
      );
      const row = rows[0];
      return row ? `${row.context_id}\n${row.body}\n${row.artifacts}` : undefined;
    },
    async readPushConfigsRaw(scope, taskId) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT wire_version, json FROM ${t.pushConfigs} WHERE ${config} ORDER BY seq`,
        key(scope, taskId),
      );
      return rows.map((row) => `${row.wire_version}\n${row.json}`);
    },
  };
}

/**
 * `@a2a-stores/mysql` on the test server (`resolveTestBackend`, MariaDB here), under a random
 * table prefix of its own, migrated once: the database is shared, so only those tables go.
 */
export async function mysqlHarness(): Promise<SharedBackendHarness> {
  const backend = await resolveTestBackend('mysql');
  // Enough connections for the suite's 32 concurrent CAS writers to contend for real.
  const pool = createPool({ uri: backend.url, connectionLimit: 12 });
  const prefix = `kms${randomBytes(5).toString('hex')}_`;
  const t = tableNames(prefix);
  await createMysqlStores({ pool }, { tablePrefix: prefix }).migrate();
  return {
    harness: {
      name: 'mysql',
      create: (options) => createMysqlStores({ pool }, { ...options, tablePrefix: prefix }),
      probe: mysqlProbe(pool, t),
    },
    async cleanup() {
      await pool.query(
        `DROP TABLE IF EXISTS ${t.tasks}, ${t.pushConfigs}, ${t.pushConfigSets}, ${t.migrations}`,
      );
      await pool.end();
      await backend.stop();
    },
  };
}
