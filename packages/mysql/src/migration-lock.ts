import { randomBytes } from 'node:crypto';
import { StoreUnavailableError } from '@a2a-stores/core';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { ER_DUP_ENTRY, isDeadlock } from './mysql-errors.js';
import type { TableNames } from './options.js';

/** How long a worker waits for another worker's migration before giving up. */
export const MIGRATION_LOCK_WAIT_SECONDS = 300;
/**
 * How long a Galera migration lock row stays valid. A process that dies holding it blocks other
 * workers' `migrate()` this long (or until an operator deletes the row); no step takes near it.
 */
export const GALERA_LOCK_LEASE_MS = 15 * 60_000;
const GALERA_LOCK_POLL_MS = 200;

/** Releases a lock; resolves false when the release failed (the connection must not be reused). */
export type ReleaseLock = () => Promise<boolean>;

/**
 * True on a MariaDB Galera node (`wsrep_on`). Galera does not replicate GET_LOCK: a lock taken on
 * one node does not stop a worker migrating through another, so migrate() must lock differently.
 */
export async function isGaleraNode(connection: PoolConnection): Promise<boolean> {
  const [rows] = await connection.query<RowDataPacket[]>("SHOW GLOBAL VARIABLES LIKE 'wsrep_on'");
  return String(rows[0]?.Value ?? '').toUpperCase() === 'ON';
}

/** A GET_LOCK named lock held by this session; the server drops it if the process dies. */
export async function takeNamedLock(
  connection: PoolConnection,
  name: string,
): Promise<ReleaseLock> {
  const [locked] = await connection.execute<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [
    name,
    MIGRATION_LOCK_WAIT_SECONDS,
  ]);
  if (locked[0]?.got !== 1) {
    throw new StoreUnavailableError(
      `MySQL migrate() could not take its lock within ${MIGRATION_LOCK_WAIT_SECONDS}s (another worker is migrating)`,
    );
  }
  return () =>
    connection
      .execute('SELECT RELEASE_LOCK(?)', [name])
      .then(() => true)
      .catch(() => false);
}

function lockTable(t: TableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${t.migrationLock} (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  token CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at BIGINT NOT NULL
) ENGINE=InnoDB`;
}

function lostRace(error: unknown): boolean {
  return (error as { errno?: unknown })?.errno === ER_DUP_ENTRY || isDeadlock(error);
}

/**
 * The cluster-wide lock of a Galera cluster: one row, inserted by the worker that migrates and
 * deleted when it is done. Row writes are certified cluster-wide, so two workers inserting it
 * through different nodes cannot both commit (the loser gets a duplicate key or a certification
 * deadlock, and waits). A row left by a dead process expires after {@link GALERA_LOCK_LEASE_MS}.
 */
export async function takeGaleraLock(
  connection: PoolConnection,
  tables: TableNames,
): Promise<ReleaseLock> {
  await connection.query(lockTable(tables));
  const token = randomBytes(16).toString('hex');
  const deadline = Date.now() + MIGRATION_LOCK_WAIT_SECONDS * 1000;
  for (;;) {
    const now = Date.now();
    try {
      await connection.execute(
        `DELETE FROM ${tables.migrationLock} WHERE id = 1 AND expires_at < ?`,
        [now],
      );
      await connection.execute(
        `INSERT INTO ${tables.migrationLock} (id, token, expires_at) VALUES (1, ?, ?)`,
        [token, now + GALERA_LOCK_LEASE_MS],
      );
      break;
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
    if (Date.now() >= deadline) {
      throw new StoreUnavailableError(
        `MySQL migrate() could not take its Galera lock row (${tables.migrationLock}) within ${MIGRATION_LOCK_WAIT_SECONDS}s: another worker is migrating, or one died holding it (delete the row once no migrate() runs)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, GALERA_LOCK_POLL_MS));
  }
  return () =>
    connection
      .execute(`DELETE FROM ${tables.migrationLock} WHERE id = 1 AND token = ?`, [token])
      .then(() => true)
      .catch(() => false);
}
