import type { SchemaNames } from '../sql.js';

/** Columns of a lease row, in the order `LeaseRow` names them. */
const LEASE_COLUMNS =
  'lease_key AS key, tenant, owner, task_id AS taskId, holder, token, expires_at AS expiresAt';

/** A lease row as the statements below return it. */
export interface LeaseRow {
  readonly key: string;
  readonly tenant: string;
  readonly owner: string;
  readonly taskId: string;
  readonly holder: string;
  readonly token: string;
  readonly expiresAt: number;
}

/** Every coordination statement; fixed text, prepared once per connection. */
export function coordinationStatements(n: SchemaNames) {
  return {
    readLease: `SELECT ${LEASE_COLUMNS} FROM ${n.leases} WHERE lease_key = ?`,
    writeLease: `INSERT INTO ${n.leases} (lease_key, tenant, owner, task_id, holder, token, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (lease_key) DO UPDATE SET tenant = excluded.tenant, owner = excluded.owner,
        task_id = excluded.task_id, holder = excluded.holder, token = excluded.token,
        expires_at = excluded.expires_at`,
    renewLease: `UPDATE ${n.leases} SET expires_at = ?
      WHERE lease_key = ? AND holder = ? AND token = ?`,
    releaseLease: `DELETE FROM ${n.leases} WHERE lease_key = ? AND holder = ? AND token = ?`,
    expiredLeases: `SELECT ${LEASE_COLUMNS} FROM ${n.leases}
      WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`,
    takeLease: `UPDATE ${n.leases} SET holder = ?, token = ?, expires_at = ? WHERE lease_key = ?`,
    appendMessage: `INSERT INTO ${n.messages} (channel, created_at, payload) VALUES (?, ?, ?)`,
    // One statement text whatever the number of channels: they come as one JSON array.
    readMessages: `SELECT id, channel,
        CASE WHEN channel IN (SELECT value FROM json_each(?)) THEN payload END AS payload
      FROM ${n.messages} WHERE id > ? ORDER BY id LIMIT ?`,
    maxMessageId: `SELECT COALESCE(MAX(id), 0) FROM ${n.messages}`,
    deleteOldMessages: `DELETE FROM ${n.messages} WHERE id IN (
      SELECT id FROM ${n.messages} WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
  };
}
