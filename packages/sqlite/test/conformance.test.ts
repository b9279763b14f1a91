import { join } from 'node:path';
import type { Scope } from '@a2a-stores/core';
import {
  type RawProbe,
  runStoreConformance,
  type StoreHarness,
} from '@a2a-stores/core/conformance';
import Database from 'better-sqlite3';
import { createSqliteStores } from '../src/index.js';
import { makeTempDir } from './helpers.js';

/** Reads and damages rows with plain SQL, behind the stores' back. */
function sqlProbe(db: Database.Database): RawProbe {
  const task = 'tenant = ? AND owner = ? AND id = ?';
  const config = 'tenant = ? AND owner = ? AND task_id = ?';
  const expectOneRow = (changes: number, what: string) => {
    if (changes !== 1)
      throw new Error(`probe: expected to change one ${what} row, changed ${changes}`);
  };
  return {
    async corruptTask(scope: Scope, taskId: string) {
      const { changes } = db
        .prepare(`UPDATE a2a_tasks SET body = '{"id": unreadable' WHERE ${task}`)
        .run(scope.tenant, scope.owner, taskId);
      expectOneRow(changes, 'task');
    },
    async corruptPushConfig(scope: Scope, taskId: string, configId: string) {
      const { changes } = db
        .prepare(`UPDATE a2a_push_configs SET json = '[not a config' WHERE ${config} AND id = ?`)
        .run(scope.tenant, scope.owner, taskId, configId);
      expectOneRow(changes, 'push config');
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

/**
 * A file database: every test opens (and closes) its own connection to the shared file, as
 * separate workers would; the probe reads through one more connection.
 */
async function fileHarness(): Promise<StoreHarness> {
  const { dir, cleanup } = makeTempDir();
  const filename = join(dir, 'conformance.db');
  const setup = createSqliteStores({ filename });
  await setup.migrate();
  await setup.close();
  const probeDb = new Database(filename);
  return {
    name: 'sqlite (file)',
    create: (options) => createSqliteStores({ filename }, options),
    destroy: async () => {
      probeDb.close();
      cleanup();
    },
    probe: sqlProbe(probeDb),
  };
}

/** An in-memory database the test owns and passes in: stores must leave it open on close. */
async function memoryHarness(): Promise<StoreHarness> {
  const db = new Database(':memory:');
  await createSqliteStores({ database: db }).migrate();
  return {
    name: 'sqlite (memory)',
    create: (options) => createSqliteStores({ database: db }, options),
    destroy: async () => {
      db.close();
    },
    probe: sqlProbe(db),
  };
}

runStoreConformance(await fileHarness());
runStoreConformance(await memoryHarness());
