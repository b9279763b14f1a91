import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import type { Pool } from 'pg';
import { type PostgresStoreOptions, resolvePostgresNames } from '../options.js';

/** Where {@link postgresRawProbe} looks: the `schema` and `tablePrefix` of the stores. */
export type PostgresRawProbeOptions = Pick<PostgresStoreOptions, 'schema' | 'tablePrefix'>;

/** A probe that changed no row, or several, would let a test pass without testing anything. */
function expectOneRow(count: number | null, what: string): void {
  if (count !== 1) throw new Error(`probe: expected to change one ${what} row, changed ${count}`);
}

/**
 * Reads and damages the stores' rows with plain SQL, behind their back, to prove what was
 * really persisted (e.g. that a wrapper left no plaintext secret in a row) and how the stores
 * react to a row they cannot decode. For tests only: it bypasses every check the stores make.
 *
 * - `corruptTask` / `corruptPushConfig` overwrite the stored JSON so it no longer decodes, and
 *   throw unless exactly one row changed.
 * - `readTaskRaw` returns the row's context id, body and artifacts, then the body and artifacts
 *   of each appended segment, then the recent form when the row has one, one per line
 *   (undefined when there is no row);
 *   `readPushConfigsRaw` each config as `<wire version>\n<config>`, in registration order.
 *
 * The table names come from {@link resolvePostgresNames}, as the stores' do, so pass the same
 * `schema` and `tablePrefix`.
 *
 * @example
 * ```ts
 * import { createPostgresStores } from '@a2a-stores/postgres';
 * import { postgresRawProbe } from '@a2a-stores/postgres/testing';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 * await createPostgresStores({ pool }, { schema: 'agent_test' }).migrate();
 * const probe = postgresRawProbe(pool, { schema: 'agent_test' });
 * const stored = await probe.readTaskRaw({ tenant: 'acme', owner: 'alice' }, 'task-1');
 * ```
 */
export function postgresRawProbe(
  pool: Pool,
  options: PostgresRawProbeOptions = {},
): Required<RawProbe> {
  const names = resolvePostgresNames(options);
  const task = 'tenant = $1 AND owner = $2 AND id = $3';
  const configs = 'tenant = $1 AND owner = $2 AND task_id = $3';
  const key = (scope: Scope, taskId: string) => [scope.tenant, scope.owner, taskId];
  return {
    async corruptTask(scope: Scope, taskId: string) {
      const result = await pool.query(
        `UPDATE ${names.tasks} SET body = '{"id": unreadable' WHERE ${task}`,
        key(scope, taskId),
      );
      expectOneRow(result.rowCount, 'task');
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      const result = await pool.query(
        `UPDATE ${names.pushConfigs} SET config = '[not a config' WHERE ${configs} AND config_id = $4`,
        [...key(scope, taskId), configId],
      );
      expectOneRow(result.rowCount, 'push config');
    },
    async readTaskRaw(scope: Scope, taskId: string) {
      const result = await pool.query<{ raw: string }>(
        // Appended segments and the recent form too: they hold the same kind of content as
        // body and artifacts.
        `SELECT context_id || chr(10) || body || chr(10) || artifacts || COALESCE((
           SELECT string_agg(chr(10) || s.body || chr(10) || s.artifacts, '' ORDER BY s.seq)
           FROM ${names.segments} AS s WHERE s.tenant = $1 AND s.owner = $2 AND s.task_id = $3
         ), '') || COALESCE(chr(10) || recent, '') AS raw FROM ${names.tasks} WHERE ${task}`,
        key(scope, taskId),
      );
      return result.rows[0]?.raw;
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      const result = await pool.query<{ raw: string }>(
        `SELECT wire_version || chr(10) || config AS raw FROM ${names.pushConfigs} WHERE ${configs} ORDER BY seq`,
        key(scope, taskId),
      );
      return result.rows.map((row) => row.raw);
    },
  };
}
