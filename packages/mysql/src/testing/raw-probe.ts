import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { type MysqlStoreOptions, tableNames } from '../options.js';

/** Where {@link mysqlRawProbe} looks: the `tablePrefix` the stores were created with. */
export type MysqlRawProbeOptions = Pick<MysqlStoreOptions, 'tablePrefix'>;

/** A probe that changed no row, or several, would let a test pass without testing anything. */
function expectOneRow(result: ResultSetHeader, what: string): void {
  if (result.affectedRows !== 1)
    throw new Error(`probe: expected to change one ${what} row, changed ${result.affectedRows}`);
}

/**
 * Reads and damages the stores' rows with plain SQL, behind their back, to prove what was
 * really persisted (e.g. that a wrapper left no plaintext secret in a row) and how the stores
 * react to a row they cannot decode. For tests only: it bypasses every check the stores make.
 *
 * - `corruptTask` / `corruptPushConfig` overwrite the stored JSON so it no longer decodes, and
 *   throw unless exactly one row changed. `corruptTask` also overwrites the row's recent form
 *   (a large task's head and last messages, which `list` reads instead of the body for a short
 *   `historyLength`) when it has one.
 * - `readTaskRaw` returns the row's context id, body and artifacts, then the body and artifacts
 *   of each appended segment, then the recent form when there is one, one per line (undefined
 *   when there is neither row nor segment);
 *   `readPushConfigsRaw` each config as `<wire version>\n<json>`, in
 *   registration order.
 *
 * The table names come from {@link tableNames}, as the stores' do, so pass the same
 * `tablePrefix`.
 *
 * @example
 * ```ts
 * import { createMysqlStores } from '@a2a-stores/mysql';
 * import { mysqlRawProbe } from '@a2a-stores/mysql/testing';
 * import { createPool } from 'mysql2/promise';
 *
 * const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306/test' });
 * await createMysqlStores({ pool }, { tablePrefix: 'agent_' }).migrate();
 * const probe = mysqlRawProbe(pool, { tablePrefix: 'agent_' });
 * const stored = await probe.readTaskRaw({ tenant: 'acme', owner: 'alice' }, 'task-1');
 * ```
 */
export function mysqlRawProbe(pool: Pool, options: MysqlRawProbeOptions = {}): Required<RawProbe> {
  const t = tableNames(options.tablePrefix);
  const task = 'tenant = ? AND owner = ? AND id = ?';
  const configs = 'tenant = ? AND owner = ? AND task_id = ?';
  const key = (scope: Scope, taskId: string) => [scope.tenant, scope.owner, taskId];
  return {
    async corruptTask(scope: Scope, taskId: string) {
      const [result] = await pool.execute<ResultSetHeader>(
        `UPDATE ${t.tasks} SET body = '{"id": truncated',
  recent = IF(recent IS NULL, NULL, '{"id": truncated') WHERE ${task}`,
        key(scope, taskId),
      );
      expectOneRow(result, 'task');
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      const [result] = await pool.execute<ResultSetHeader>(
        `UPDATE ${t.pushConfigs} SET json = 'not json' WHERE ${configs} AND config_id = ?`,
        [...key(scope, taskId), configId],
      );
      expectOneRow(result, 'push config');
    },
    async readTaskRaw(scope: Scope, taskId: string) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT context_id, body, artifacts, recent FROM ${t.tasks} WHERE ${task}`,
        key(scope, taskId),
      );
      // Every segment, not only the row's current window: a segment left behind is stored data.
      const [segments] = await pool.execute<RowDataPacket[]>(
        `SELECT body, artifacts FROM ${t.taskSegments} WHERE ${configs} ORDER BY seq`,
        key(scope, taskId),
      );
      const row = rows[0];
      if (!row && segments.length === 0) return undefined;
      // context_id is VARBINARY (a Buffer here): its bytes are the UTF-8 of the id.
      const lines = row ? [String(row.context_id), row.body, row.artifacts] : [];
      for (const segment of segments) lines.push(segment.body, segment.artifacts);
      if (row && row.recent !== null) lines.push(row.recent);
      return lines.join('\n');
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT wire_version, json FROM ${t.pushConfigs} WHERE ${configs} ORDER BY seq`,
        key(scope, taskId),
      );
      return rows.map((row) => `${row.wire_version}\n${row.json}`);
    },
  };
}
