import { randomBytes } from 'node:crypto';
import type { Scope } from '@a2a-stores/core';
import type { StoreHarness } from '@a2a-stores/core/conformance';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { createMysqlStores, tableNames } from '../../src/index.js';

/** A table prefix no other test file uses, so files share one database without wipes. */
export function randomPrefix(): string {
  return `t${randomBytes(5).toString('hex')}_`;
}

/** Drops every table of `prefix` (afterAll of each test file). */
export async function dropTables(pool: Pool, prefix: string): Promise<void> {
  const t = tableNames(prefix);
  await pool.query(
    `DROP TABLE IF EXISTS ${t.tasks}, ${t.pushConfigs}, ${t.pushConfigSets}, ${t.migrations}`,
  );
}

/**
 * The conformance harness over one shared pool and one random prefix, migrated once. `url`
 * resolves lazily so a harness can be registered before its server is known.
 */
export function mysqlHarness(name: string, url: () => Promise<string>): StoreHarness {
  const prefix = randomPrefix();
  const t = tableNames(prefix);
  let ready: Promise<Pool> | undefined;
  const pool = (): Promise<Pool> => {
    ready ??= (async () => {
      const created = createPool({ uri: await url(), connectionLimit: 12 });
      await createMysqlStores({ pool: created }, { tablePrefix: prefix }).migrate();
      return created;
    })();
    return ready;
  };
  const key = (scope: Scope, taskId: string) => [scope.tenant, scope.owner, taskId];
  return {
    name,
    create: async (options) =>
      createMysqlStores({ pool: await pool() }, { ...options, tablePrefix: prefix }),
    destroy: async () => {
      if (!ready) return;
      const p = await ready;
      await dropTables(p, prefix);
      await p.end();
    },
    probe: {
      corruptTask: async (scope, taskId) => {
        await (await pool()).execute(
          `UPDATE ${t.tasks} SET body = '{"id": truncated' WHERE tenant = ? AND owner = ? AND id = ?`,
          key(scope, taskId),
        );
      },
      corruptPushConfig: async (scope, taskId, configId) => {
        await (await pool()).execute(
          `UPDATE ${t.pushConfigs} SET json = 'not json' WHERE tenant = ? AND owner = ? AND task_id = ? AND config_id = ?`,
          [...key(scope, taskId), configId],
        );
      },
      readTaskRaw: async (scope, taskId) => {
        const [rows] = await (await pool()).execute<RowDataPacket[]>(
          `SELECT body, artifacts FROM ${t.tasks} WHERE tenant = ? AND owner = ? AND id = ?`,
          key(scope, taskId),
        );
        const row = rows[0];
        return row ? `${row.body}\n${row.artifacts}` : undefined;
      },
      readPushConfigsRaw: async (scope, taskId) => {
        const [rows] = await (await pool()).execute<RowDataPacket[]>(
          `SELECT wire_version, json FROM ${t.pushConfigs} WHERE tenant = ? AND owner = ? AND task_id = ? ORDER BY seq`,
          key(scope, taskId),
        );
        return rows.map((row) => `${row.wire_version}\n${row.json}`);
      },
    },
  };
}
