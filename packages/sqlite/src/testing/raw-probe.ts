import type { Scope } from '@a2a-stores/core';
import type { RawProbe } from '@a2a-stores/core/conformance';
import { resolveTablePrefix, type SqliteDatabase, type SqliteStoreOptions } from '../options.js';
import { schemaNames } from '../sql.js';

/** Where {@link sqliteRawProbe} looks: the `tablePrefix` the stores were created with. */
export type SqliteRawProbeOptions = Pick<SqliteStoreOptions, 'tablePrefix'>;

/** A probe that changed no row, or several, would let a test pass without testing anything. */
function expectOneRow(changes: number, what: string): void {
  if (changes !== 1)
    throw new Error(`probe: expected to change one ${what} row, changed ${changes}`);
}

/**
 * Reads and damages the stores' rows with plain SQL, behind their back, to prove what was
 * really persisted (e.g. that a wrapper left no plaintext secret in a row) and how the stores
 * react to a row they cannot decode. For tests only: it bypasses every check the stores make.
 *
 * - `corruptTask` / `corruptPushConfig` overwrite the stored JSON so it no longer decodes, and
 *   throw unless exactly one row changed.
 * - `corruptTask` also overwrites the row's recent form (a large task's head and last messages,
 *   which `list` reads instead of the body for a short `historyLength`) when it has one.
 * - `readTaskRaw` returns the row's context id, body and artifacts, then the body and artifacts
 *   of each of its segments in order (a big task's base is its segment 0), then the recent form
 *   when there is one, one per line (undefined when there is no row); `readPushConfigsRaw` each config as
 *   `<wire version>\n<json>`, in registration order.
 *
 * The table names come from the same prefix rule as the stores', so pass the same
 * `tablePrefix`. `database` can be the stores' own connection or another one on the same file.
 *
 * @example
 * ```ts
 * import { createSqliteStores } from '@a2a-stores/sqlite';
 * import { sqliteRawProbe } from '@a2a-stores/sqlite/testing';
 * import Database from 'better-sqlite3';
 *
 * const database = new Database(':memory:');
 * const stores = createSqliteStores({ database }, { tablePrefix: 'agent_' });
 * await stores.migrate();
 * const probe = sqliteRawProbe(database, { tablePrefix: 'agent_' });
 * const stored = await probe.readTaskRaw({ tenant: 'acme', owner: 'alice' }, 'task-1');
 * ```
 */
export function sqliteRawProbe(
  database: SqliteDatabase,
  options: SqliteRawProbeOptions = {},
): Required<RawProbe> {
  const names = schemaNames(resolveTablePrefix(options.tablePrefix));
  const task = 'tenant = ? AND owner = ? AND id = ?';
  const ofTask = 'tenant = ? AND owner = ? AND task_id = ?';
  return {
    async corruptTask(scope: Scope, taskId: string) {
      // The base: in the row, or segment 0 when the task was too big to keep it there.
      const bad = `'{"id": unreadable'`;
      const inRow = database
        .prepare(`UPDATE ${names.tasks} SET body = ${bad} WHERE ${task} AND base_in_segments = 0`)
        .run(scope.tenant, scope.owner, taskId);
      const { changes } =
        inRow.changes > 0
          ? inRow
          : database
              .prepare(`UPDATE ${names.segments} SET body = ${bad} WHERE ${ofTask} AND seq = 0`)
              .run(scope.tenant, scope.owner, taskId);
      expectOneRow(changes, 'task');
      database
        .prepare(`UPDATE ${names.tasks} SET recent = ${bad} WHERE ${task} AND recent IS NOT NULL`)
        .run(scope.tenant, scope.owner, taskId);
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      const { changes } = database
        .prepare(
          `UPDATE ${names.pushConfigs} SET json = '[not a config' WHERE ${ofTask} AND id = ?`,
        )
        .run(scope.tenant, scope.owner, taskId, configId);
      expectOneRow(changes, 'push config');
    },
    async readTaskRaw(scope: Scope, taskId: string) {
      const row = database
        .prepare(`SELECT context_id, body, artifacts, recent FROM ${names.tasks} WHERE ${task}`)
        .get(scope.tenant, scope.owner, taskId) as
        | { context_id: string; body: string; artifacts: string; recent: string | null }
        | undefined;
      if (!row) return undefined;
      const segments = database
        .prepare(
          `SELECT body || char(10) || artifacts FROM ${names.segments} WHERE ${ofTask} ORDER BY seq`,
        )
        .pluck()
        .all(scope.tenant, scope.owner, taskId) as string[];
      const recent = row.recent === null ? [] : [row.recent];
      return [row.context_id, row.body, row.artifacts, ...segments, ...recent].join('\n');
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      return database
        .prepare(
          `SELECT wire_version || char(10) || json FROM ${names.pushConfigs} WHERE ${ofTask} ORDER BY seq`,
        )
        .pluck()
        .all(scope.tenant, scope.owner, taskId) as string[];
    },
  };
}
