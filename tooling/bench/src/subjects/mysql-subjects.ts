import { createMysqlStores } from '@a2a-stores/mysql';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { Kysely, MysqlDialect } from 'kysely';
import { createConnection, createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import type { Subject } from '../subject.js';
import type { BackendSubjects } from './backend-subjects.js';
import { freshBenchDatabase } from './bench-database.js';
import { MysqlFloorTaskStore, migrateMysqlFloor } from './mysql-floor.js';
import { MysqlGuardedFloorTaskStore, migrateMysqlGuardedFloor } from './mysql-guarded-floor.js';
import { benchPushUrlCheck } from './push-url-check.js';
import { migrateSdkTables, sdkDatabaseStores } from './sdk-database.js';
import { slices } from './seed-slices.js';

/** Every subject gets its own pool of this size, so none wins by having more connections. */
const POOL_SIZE = 4;

/** The durability settings the server runs with; a run without a log flush per commit is refused. */
async function serverSettings(pool: Pool): Promise<{ text: string; version: string }> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT @@version AS version, @@innodb_flush_log_at_trx_commit AS flush,
            @@sync_binlog AS sync_binlog, @@log_bin AS log_bin, @@innodb_doublewrite AS doublewrite`,
  );
  const row: Record<string, unknown> = rows[0] ?? {};
  const text = `server ${row.version}, innodb_flush_log_at_trx_commit=${row.flush}, sync_binlog=${row.sync_binlog}, log_bin=${row.log_bin}, innodb_doublewrite=${row.doublewrite}`;
  if (Number(row.flush) !== 1) {
    throw new Error(`MariaDB/MySQL must flush the log at every commit: ${text}`);
  }
  return { text, version: String(row.version) };
}

/** This run's database on the server of `url` (see `freshBenchDatabase`). */
function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const asAdmin = async (statement: string, values: unknown[] = []) => {
    const admin = await createConnection({ uri: url });
    try {
      const [rows] = await admin.query<RowDataPacket[]>(statement, values);
      return rows;
    } finally {
      await admin.end();
    }
  };
  return freshBenchDatabase(url, {
    namesLike: async (like) =>
      (
        await asAdmin(
          'SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?',
          [like],
        )
      ).map((row) => String(row.name)),
    drop: async (name) => {
      await asAdmin(`DROP DATABASE IF EXISTS ${name}`);
    },
    create: async (name) => {
      await asAdmin(`CREATE DATABASE ${name}`);
    },
  });
}

/** The innermost error message of a (wrapped) migration failure, for the report. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('Error: ').at(-1) ?? message).split('\n')[0]!.trim().slice(0, 200);
}

/**
 * The MySQL/MariaDB subjects, each with its own pool and tables in one fresh database. The SDK's
 * store is tried: its migrations need MySQL 8's `utf8mb4_0900_bin`, so on MariaDB it is reported
 * as not supported, with the server's reason, instead of measured.
 */
export async function mysqlSubjects(): Promise<BackendSubjects> {
  const backend = await resolveTestBackend('mysql');
  const { url, drop } = await freshDatabase(backend.url);
  // mysql2's per-query stack capture (`trace`) is off in every pool, as in the adapter's own:
  // it is debugging aid, not work a store must do, so no subject pays for it.
  const newPool = () => createPool({ uri: url, connectionLimit: POOL_SIZE, trace: false });
  const floorPool = newPool();
  await migrateMysqlFloor(floorPool);
  const server = await serverSettings(floorPool);
  const guardedPool = newPool();
  await migrateMysqlGuardedFloor(guardedPool);
  const notes: string[] = [];
  const subjects: Subject[] = [
    {
      name: 'raw mysql2 (floor)',
      role: 'floor',
      taskStore: new MysqlFloorTaskStore(floorPool),
      close: () => floorPool.end(),
    },
    {
      name: 'raw mysql2 + guarantees',
      role: 'guarded-floor',
      taskStore: new MysqlGuardedFloorTaskStore(guardedPool),
      close: () => guardedPool.end(),
    },
  ];
  const ours = createMysqlStores(
    { uri: url, poolOptions: { connectionLimit: POOL_SIZE } },
    { pushUrlCheck: benchPushUrlCheck() },
  );
  await ours.migrate();
  subjects.push({
    name: '@a2a-stores/mysql',
    role: 'adapter',
    taskStore: ours.taskStore,
    pushStore: ours.pushNotificationStore,
    // One transaction per pooled connection, all of them at once.
    seedBatch: async (tasks, context) => {
      await Promise.all(
        slices(tasks, POOL_SIZE).map(async (slice) => {
          const connection = await ours.pool.getConnection();
          try {
            const bound = ours.withConnection(connection);
            await connection.beginTransaction();
            for (const task of slice) await bound.taskStore.save(task, context);
            await connection.commit();
          } catch (error) {
            await connection.rollback();
            throw error;
          } finally {
            connection.release();
          }
        }),
      );
    },
    close: async () => {
      await ours.close();
      await backend.stop();
    },
  });
  try {
    await migrateSdkTables(url);
    const kysely = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: newPool() }) });
    const sdk = sdkDatabaseStores(kysely);
    subjects.push({
      name: 'sdk DatabaseTaskStore',
      role: 'sdk',
      taskStore: sdk.taskStore,
      pushStore: sdk.pushStore,
      close: () => kysely.destroy(),
    });
  } catch (error) {
    const product = /mariadb/i.test(server.version)
      ? `MariaDB ${server.version.split('-')[0]}`
      : `this server (${server.version})`;
    notes.push(`SDK store: not supported on ${product} (${reasonOf(error)})`);
  }
  return {
    subjects,
    notes,
    cleanup: drop,
    settings: `local service, ${server.text}, pool of ${POOL_SIZE} per subject, mysql2 trace off in every pool`,
  };
}
