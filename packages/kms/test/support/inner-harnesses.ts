import { createMemoryStores, type Scope } from '@a2a-stores/core';
import type { RawProbe, StoreHarness } from '@a2a-stores/core/conformance';
import { createSqliteStores } from '@a2a-stores/sqlite';
import Database from 'better-sqlite3';

/** An inner harness on a shared database, and how to remove what it wrote. */
export interface SharedBackendHarness {
  /** Has no `destroy`: several suites of one file share it; call `cleanup` in `afterAll`. */
  readonly harness: StoreHarness;
  cleanup(): Promise<void>;
}

/** Core's memory stores, a fresh state per test (no raw probe: the state is private). */
export function memoryHarness(): StoreHarness {
  return { name: 'memory', create: (options) => createMemoryStores(options) };
}

/** Reads and damages sqlite rows with plain SQL, behind the stores' back. */
function sqliteProbe(db: Database.Database): RawProbe {
  const task = 'tenant = ? AND owner = ? AND id = ?';
  const config = 'tenant = ? AND owner = ? AND task_id = ?';
  return {
    async corruptTask(scope: Scope, taskId: string) {
      db.prepare(`UPDATE a2a_tasks SET body = '{"id": unreadable' WHERE ${task}`).run(
        scope.tenant,
        scope.owner,
        taskId,
      );
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      db.prepare(
        `UPDATE a2a_push_configs SET json = '[not a config' WHERE ${config} AND id = ?`,
      ).run(scope.tenant, scope.owner, taskId, configId);
    },
    async readTaskRaw(scope: Scope, taskId: string) {
      const row = db
        .prepare(`SELECT context_id, body, artifacts FROM a2a_tasks WHERE ${task}`)
        .get(scope.tenant, scope.owner, taskId) as
        | { context_id: string; body: string; artifacts: string }
        | undefined;
      return row && `${row.context_id}\n${row.body}\n${row.artifacts}`;
    },
    async readPushConfigsRaw(scope: Scope, taskId: string) {
      return db
        .prepare(
          `SELECT wire_version || char(10) || json FROM a2a_push_configs WHERE ${config} ORDER BY seq`,
        )
        .pluck()
        .all(scope.tenant, scope.owner, taskId) as string[];
    },
  };
}

/** `@a2a-stores/sqlite` on one in-memory database shared by every test, with a raw probe. */
export async function sqliteMemoryHarness(): Promise<StoreHarness> {
  const db = new Database(':memory:');
  await createSqliteStores({ database: db }).migrate();
  return {
    name: 'sqlite (memory)',
    create: (options) => createSqliteStores({ database: db }, options),
    destroy: async () => {
      db.close();
    },
    probe: sqliteProbe(db),
  };
}
