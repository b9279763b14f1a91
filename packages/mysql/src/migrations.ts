import { createHash } from 'node:crypto';
import {
  applyPendingMigrations,
  type MigrationResult,
  renderMigrationScript,
  type SqlMigration,
  sqlStringLiteral,
} from '@a2a-stores/core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { coordinationTables } from './coordination/coordination-sql.js';
import { recountTasks, taskCountsTable, taskCountTriggers } from './counter-sql.js';
import { isGaleraNode, takeGaleraLock, takeNamedLock } from './migration-lock.js';
import { triggerPrivilegeError } from './mysql-errors.js';
import { DEFAULT_TABLE_PREFIX, type TableNames, tableNames } from './options.js';
import { recentHistorySteps } from './recent-schema.js';
import { taskSegmentSteps } from './segment-schema.js';

/*
 * Column types, and why:
 * - Keys (tenant, owner, ids) are VARBINARY holding UTF-8. utf8mb4_bin is a PAD SPACE collation
 *   on both servers ('a' = 'a ', and 'a\t' sorts after 'a'), so it would merge distinct ids and
 *   break core's code-point order. The NO PAD binary collations have different names on MariaDB
 *   (utf8mb4_nopad_bin) and MySQL 8 (utf8mb4_0900_bin, which the SDK's own store requires and
 *   MariaDB lacks). VARBINARY compares bytes, which is code-point order for UTF-8, on both.
 * - 765 bytes: an id is at most 255 UTF-16 code units, each at most 3 UTF-8 bytes (a surrogate
 *   pair is 2 units and 4 bytes). Four such columns plus a BIGINT (3068 bytes) fit InnoDB's
 *   3072-byte index key limit, so every list index can name all its columns.
 * - body/artifacts are LONGTEXT, not JSON: MySQL's JSON type rewrites documents (key order,
 *   numbers), and core needs the exact text back. Artifacts apart, so list never reads them
 *   when they are not returned.
 * - sort_key/updated_at are epoch milliseconds in BIGINT: no time zone or DATETIME precision.
 */
function tasksTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.tasks} (
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  id VARBINARY(765) NOT NULL,
  context_id VARBINARY(765) NOT NULL,
  state TINYINT UNSIGNED NOT NULL,
  sort_key BIGINT NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  updated_at BIGINT NOT NULL,
  body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  artifacts LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (tenant, owner, id),
  KEY tasks_by_time (tenant, owner, sort_key, id),
  KEY tasks_by_context (tenant, owner, context_id, sort_key, id),
  KEY tasks_by_state (tenant, owner, state, sort_key, id),
  KEY tasks_by_age (state, updated_at)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

function pushConfigsTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.pushConfigs} (
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  task_id VARBINARY(765) NOT NULL,
  config_id VARBINARY(765) NOT NULL,
  seq BIGINT UNSIGNED NOT NULL,
  wire_version VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  json LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant, owner, task_id, config_id),
  KEY push_configs_in_order (tenant, owner, task_id, seq)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

function pushConfigSetsTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.pushConfigSets} (
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  task_id VARBINARY(765) NOT NULL,
  next_seq BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (tenant, owner, task_id)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/**
 * The versioned steps, in order. MySQL commits every DDL statement on its own, so a step cannot
 * be one transaction with its ledger row: instead every statement is idempotent (IF NOT EXISTS,
 * indexes declared inside CREATE TABLE, which is atomic), and the ledger row is written after
 * the step. A crash between the two leaves the step unrecorded, and the next migrate() re-runs
 * it harmlessly. Never edit a released step: add a new one.
 */
export function mysqlMigrations(t: TableNames): readonly SqlMigration[] {
  return [
    { id: '0001_tasks', statements: [tasksTable(t)] },
    { id: '0002_push_configs', statements: [pushConfigsTable(t), pushConfigSetsTable(t)] },
    {
      id: '0003_task_counts',
      statements: [taskCountsTable(t), ...taskCountTriggers(t), ...recountTasks(t)],
    },
    { id: '0004_coordination', statements: coordinationTables(t) },
    { id: '0005_task_segments', statements: taskSegmentSteps(t) },
    { id: '0006_recent_history', statements: recentHistorySteps(t) },
  ];
}

export function ledgerTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.migrations} (
  id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  applied_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/**
 * The complete script a DBA can apply with the mysql client instead of running `migrate()`: the
 * ledger, every step and its ledger row. MySQL DDL commits implicitly, so there is no transaction;
 * every statement is idempotent, as in `migrate()`.
 *
 * @example
 * ```ts
 * import { mysqlMigrationScript } from '@a2a-stores/mysql';
 * process.stdout.write(mysqlMigrationScript('a2a_')); // | mysql agents
 * ```
 */
export function mysqlMigrationScript(tablePrefix?: string, now: number = Date.now()): string {
  const tables = tableNames(tablePrefix);
  return renderMigrationScript({
    target: `MySQL, table prefix ${JSON.stringify(tablePrefix ?? DEFAULT_TABLE_PREFIX)}`,
    setup: [ledgerTable(tables)],
    migrations: mysqlMigrations(tables),
    record: (id) =>
      `INSERT IGNORE INTO ${tables.migrations} (id, applied_at) VALUES (${sqlStringLiteral(id)}, ${now})`,
  });
}

/**
 * GET_LOCK names are server-wide and at most 64 characters: hash the database and prefix, so
 * two apps on one server (or one app with two prefixes) never wait on each other.
 */
export function migrationLockName(database: string, prefix: string): string {
  const digest = createHash('sha256').update(`${database}\u0000${prefix}`).digest('hex');
  return `a2a-stores:migrate:${digest.slice(0, 40)}`;
}

async function currentDatabase(connection: PoolConnection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT DATABASE() AS db');
  const db = rows[0]?.db;
  if (typeof db !== 'string' || db === '') {
    throw new TypeError(
      'The MySQL connection has no default database: name it in the URI (mysql://host/db) or in the pool options',
    );
  }
  return db;
}

/**
 * Applies pending migrations under a lock, so concurrent workers apply each step once: a GET_LOCK
 * named lock held on one connection (the server drops it if this process dies), or on a Galera
 * node, where GET_LOCK is local to the node, a lock row certified cluster-wide.
 */
export async function runMigrations(pool: Pool, tables: TableNames): Promise<MigrationResult> {
  const connection = await pool.getConnection();
  let keep = true;
  try {
    const database = await currentDatabase(connection);
    const release = (await isGaleraNode(connection))
      ? await takeGaleraLock(connection, tables)
      : await takeNamedLock(connection, migrationLockName(database, tables.prefix));
    try {
      return await applySteps(connection, tables);
    } finally {
      // A pooled connection must never go back still holding the lock: if the release fails,
      // the connection is closed instead, and the server drops the lock with the session.
      keep = await release();
    }
  } finally {
    if (keep) connection.release();
    else connection.destroy();
  }
}

async function applySteps(
  connection: PoolConnection,
  tables: TableNames,
): Promise<MigrationResult> {
  await connection.query(ledgerTable(tables));
  return applyPendingMigrations(mysqlMigrations(tables), {
    applied: async () => {
      const [rows] = await connection.query<RowDataPacket[]>(
        `SELECT id FROM ${tables.migrations} ORDER BY id`,
      );
      return rows.map((row) => String(row.id));
    },
    apply: async (migration) => {
      for (const statement of migration.statements) {
        await connection.query(statement).catch((error: unknown) => {
          throw triggerPrivilegeError(error, statement) ?? error;
        });
      }
      await connection.execute(`INSERT INTO ${tables.migrations} (id, applied_at) VALUES (?, ?)`, [
        migration.id,
        Date.now(),
      ]);
    },
  });
}
