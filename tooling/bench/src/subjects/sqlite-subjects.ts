import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStores } from '@a2a-stores/sqlite';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { BackendSubjects } from './backend-subjects.js';
import { KMS_SETTINGS, kmsSubjects } from './kms-subjects.js';
import { benchPushUrlCheck } from './push-url-check.js';
import { migrateSdkTables, sdkDatabaseStores } from './sdk-database.js';
import { SqliteFloorTaskStore } from './sqlite-floor.js';
import { SqliteGuardedFloorTaskStore } from './sqlite-guarded-floor.js';

/** Durability every SQLite subject runs with (one connection, so one setting for all). */
export const SQLITE_SETTINGS = 'file, journal_mode=WAL, synchronous=FULL';

/** The SQLite subjects, all on one fresh file in a temporary folder, each in its own tables. */
export async function sqliteSubjects(): Promise<BackendSubjects> {
  const folder = mkdtempSync(join(tmpdir(), 'a2a-bench-'));
  const filename = join(folder, 'bench.db');
  await migrateSdkTables(`sqlite:${filename}`);
  const database = new Database(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  const journal = database.pragma('journal_mode', { simple: true });
  const synchronous = database.pragma('synchronous', { simple: true });
  if (journal !== 'wal' || synchronous !== 2) {
    throw new Error(
      `SQLite settings not applied: journal_mode=${journal}, synchronous=${synchronous}`,
    );
  }

  const ours = createSqliteStores({ database }, { pushUrlCheck: benchPushUrlCheck() });
  await ours.migrate();
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const sdk = sdkDatabaseStores(kysely);
  let open = 4;
  // The four subjects share the connection: the last one closed closes it and the folder.
  const release = async () => {
    open--;
    if (open > 0) return;
    database.close();
    rmSync(folder, { recursive: true, force: true });
  };
  return {
    settings: `${SQLITE_SETTINGS}; ${KMS_SETTINGS}`,
    subjects: [
      {
        name: 'raw better-sqlite3 (floor)',
        role: 'floor',
        taskStore: new SqliteFloorTaskStore(database),
        close: release,
      },
      {
        name: 'raw better-sqlite3 + guarantees',
        role: 'guarded-floor',
        taskStore: new SqliteGuardedFloorTaskStore(database),
        close: release,
      },
      {
        name: '@a2a-stores/sqlite',
        role: 'adapter',
        taskStore: ours.taskStore,
        pushStore: ours.pushNotificationStore,
        // better-sqlite3 runs the adapter's own transactions as savepoints inside this one.
        seedBatch: async (tasks, context) => {
          database.exec('BEGIN IMMEDIATE');
          try {
            for (const task of tasks) await ours.taskStore.save(task, context);
            database.exec('COMMIT');
          } catch (error) {
            database.exec('ROLLBACK');
            throw error;
          }
        },
        close: async () => {
          await ours.close();
          await release();
        },
      },
      {
        name: 'sdk DatabaseTaskStore',
        role: 'sdk',
        taskStore: sdk.taskStore,
        pushStore: sdk.pushStore,
        close: release,
      },
      ...kmsSubjects({ name: '@a2a-stores/sqlite', ...ours }, 'sqlite'),
    ],
  };
}
