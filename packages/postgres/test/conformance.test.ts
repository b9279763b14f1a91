import type { Scope } from '@a2a-stores/core';
import { type RawProbe, runStoreConformance } from '@a2a-stores/core/conformance';
import type pg from 'pg';
import { createPostgresStores, resolvePostgresNames } from '../src/index.js';
import { dropSchema, randomSchema, testPool } from './support.js';

/** Reads and damages rows with plain SQL, behind the stores' back. */
function sqlProbe(pool: pg.Pool, schema: string): RawProbe {
  const names = resolvePostgresNames({ schema });
  const task = 'tenant = $1 AND owner = $2 AND id = $3';
  const config = 'tenant = $1 AND owner = $2 AND task_id = $3';
  const expectOneRow = (count: number | null, what: string) => {
    if (count !== 1) throw new Error(`probe: expected to change one ${what} row, changed ${count}`);
  };
  return {
    async corruptTask(scope: Scope, taskId: string) {
      const result = await pool.query(
        `UPDATE ${names.tasks} SET body = '{"id": unreadable' WHERE ${task}`,
        [scope.tenant, scope.owner, taskId],
      );
      expectOneRow(result.rowCount, 'task');
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      const result = await pool.query(
        `UPDATE ${names.pushConfigs} SET config = '[not a config' WHERE ${config} AND config_id = $4`,
        [scope.tenant, scope.owner, taskId, configId],
      );
      expectOneRow(result.rowCount, 'push config');
    },
    async readTaskRaw(scope: Scope, taskId: string) {
      const result = await pool.query<{ raw: string }>(
        `SELECT context_id || chr(10) || body || chr(10) || artifacts AS raw FROM ${names.tasks} WHERE ${task}`,
        [scope.tenant, scope.owner, taskId],
      );
      return result.rows[0]?.raw;
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      const result = await pool.query<{ raw: string }>(
        `SELECT wire_version || chr(10) || config AS raw FROM ${names.pushConfigs} WHERE ${config} ORDER BY seq`,
        [scope.tenant, scope.owner, taskId],
      );
      return result.rows.map((r) => r.raw);
    },
  };
}

// One pool and one migrated schema for the whole suite: every test makes its own random scope.
const pool = await testPool(8);
const schema = randomSchema('conformance');
await createPostgresStores({ pool }, { schema }).migrate();

runStoreConformance({
  name: 'postgres',
  create: (options) => createPostgresStores({ pool }, { ...options, schema }),
  destroy: async () => {
    await dropSchema(pool, schema);
    await pool.end();
  },
  probe: sqlProbe(pool, schema),
});
