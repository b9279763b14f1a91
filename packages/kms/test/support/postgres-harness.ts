import { randomBytes } from 'node:crypto';
import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import { createPostgresStores, resolvePostgresNames } from '@a2a-stores/postgres';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import pg from 'pg';
import type { SharedBackendHarness } from './inner-harnesses.js';

/** Throws unless a probe write hit exactly one row: a missed row would make a test lie. */
function expectOneRow(count: number | null, what: string): void {
  if (count !== 1) throw new Error(`probe: expected to change one ${what} row, changed ${count}`);
}

/** Reads and damages the adapter's rows with plain SQL, behind the stores' back. */
function postgresProbe(pool: pg.Pool, schema: string): RawProbe {
  const names = resolvePostgresNames({ schema });
  const task = 'tenant = $1 AND owner = $2 AND id = $3';
  const config = 'tenant = $1 AND owner = $2 AND task_id = $3';
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
      return result.rows.map((row) => row.raw);
    },
  };
}

/**
 * `@a2a-stores/postgres` on the test database (`resolveTestBackend`), in a random schema of
 * its own, migrated once: the database is shared, so nothing is wiped but that schema.
 */
export async function postgresHarness(): Promise<SharedBackendHarness> {
  const backend = await resolveTestBackend('postgres');
  // Enough connections for the suite's 32 concurrent CAS writers to contend for real.
  const pool = new pg.Pool({ connectionString: backend.url, max: 8 });
  pool.on('error', () => {});
  const schema = `a2a_test_kms_${randomBytes(5).toString('hex')}`;
  await createPostgresStores({ pool }, { schema }).migrate();
  return {
    harness: {
      name: 'postgres',
      create: (options) => createPostgresStores({ pool }, { ...options, schema }),
      probe: postgresProbe(pool, schema),
    },
    async cleanup() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      await backend.stop();
    },
  };
}
