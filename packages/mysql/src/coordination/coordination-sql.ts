import type { TableNames } from '../options.js';

/**
 * The database clock in epoch milliseconds. UTC_TIMESTAMP does not depend on the session's
 * time_zone, so two workers with different settings (or a DST change) agree on every expiry.
 */
export const NOW_MS = `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)`;

/*
 * Leases: keyed by core's hashed key; scope columns VARBINARY like the tasks table (byte
 * equality, no PAD SPACE). expires_at is epoch ms on the database clock (NOW_MS), indexed for
 * the sweep. Messages: AUTO_INCREMENT ids read in id order by pollers (which tolerate ids that
 * commit out of order: see core's MessageCursor); created_at on the database clock for
 * retention; the payload LONGTEXT so a task-sized message fits (up to max_allowed_packet).
 */
export function coordinationTables(t: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.leases} (
  lease_key VARBINARY(255) NOT NULL,
  tenant VARBINARY(765) NOT NULL,
  owner VARBINARY(765) NOT NULL,
  task_id VARBINARY(765) NOT NULL,
  holder VARBINARY(255) NOT NULL,
  token VARBINARY(255) NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (lease_key),
  KEY leases_by_expiry (expires_at)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ${t.messages} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  channel VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at BIGINT NOT NULL,
  payload LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (id),
  KEY messages_by_age (created_at)
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ];
}

const LEASE_COLUMNS = `lease_key AS \`key\`, tenant, owner, task_id AS taskId, holder, token,
  expires_at AS expiresAt, expires_at > ${NOW_MS} AS live`;

/** Every coordination statement; fixed text except the claim's IN list (one per batch size). */
export function coordinationStatements(t: TableNames) {
  // One atomic upsert decides the lease. MySQL applies the assignments left to right, each
  // seeing the ones before it, so the decision is taken once, on the token, and every later
  // column follows the token: tokens are fresh random ids, so an unchanged row never carries
  // the caller's token.
  const taken = 'token = VALUES(token)';
  return {
    acquireLease: `INSERT INTO ${t.leases}
  (lease_key, tenant, owner, task_id, holder, token, expires_at)
  VALUES (?, ?, ?, ?, ?, ?, ${NOW_MS} + ?)
  ON DUPLICATE KEY UPDATE
    token = IF(expires_at <= ${NOW_MS} OR holder = VALUES(holder), VALUES(token), token),
    tenant = IF(${taken}, VALUES(tenant), tenant),
    owner = IF(${taken}, VALUES(owner), owner),
    task_id = IF(${taken}, VALUES(task_id), task_id),
    holder = IF(${taken}, VALUES(holder), holder),
    expires_at = IF(${taken}, VALUES(expires_at), expires_at)`,
    readLease: `SELECT ${LEASE_COLUMNS} FROM ${t.leases} WHERE lease_key = ?`,
    renewLease: `UPDATE ${t.leases} SET expires_at = ${NOW_MS} + ?
  WHERE lease_key = ? AND holder = ? AND token = ?`,
    releaseLease: `DELETE FROM ${t.leases} WHERE lease_key = ? AND holder = ? AND token = ?`,
    // SKIP LOCKED (MariaDB 10.6+, MySQL 8): concurrent sweepers each lock different rows
    // instead of queueing on the same ones, and a row is handed to one of them only.
    expiredLeases: `SELECT ${LEASE_COLUMNS} FROM ${t.leases}
  WHERE expires_at <= ${NOW_MS} ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED`,
    takeLeases: (count: number) => `UPDATE ${t.leases}
  SET holder = ?, token = ?, expires_at = ${NOW_MS} + ?
  WHERE lease_key IN (${Array.from({ length: count }, () => '?').join(', ')})`,
    appendMessage: `INSERT INTO ${t.messages} (channel, created_at, payload) VALUES (?, ${NOW_MS}, ?)`,
    // The channels come as one JSON array: one statement text whatever their number.
    readMessages: `SELECT id, channel, IF(JSON_CONTAINS(?, JSON_QUOTE(channel)), payload, NULL) AS payload
  FROM ${t.messages} WHERE id > ? ORDER BY id LIMIT ?`,
    maxMessageId: `SELECT COALESCE(MAX(id), 0) AS id FROM ${t.messages}`,
    deleteOldMessages: `DELETE FROM ${t.messages} WHERE created_at < ${NOW_MS} - ?
  ORDER BY created_at LIMIT ?`,
  };
}
