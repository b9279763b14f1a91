import { type Statement, statement } from '../executor.js';
import type { PostgresNames } from '../options.js';

/** Columns every lease statement returns, expiry in epoch ms on the database clock. */
export interface LeaseRow {
  readonly key: string;
  readonly tenant: string;
  readonly owner: string;
  readonly task_id: string;
  readonly holder: string;
  readonly token: string;
  readonly expires_ms: number;
  readonly live: boolean;
}

export interface AcquireRow extends LeaseRow {
  readonly acquired: boolean;
}

export interface LeaseStatements {
  readonly acquire: Statement;
  readonly renew: Statement;
  readonly release: Statement;
  readonly read: Statement;
  readonly claimExpired: Statement;
}

const EXPIRES_MS = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
/** `$n` milliseconds from now on the database clock (`clock_timestamp()`, not the transaction's). */
const FROM_NOW = (param: string) =>
  `clock_timestamp() + ${param}::float8 * interval '1 millisecond'`;

/**
 * Every lease operation is one statement, so its atomicity is the database's: no read-then-write
 * window for another worker to slip into. Expiry is always judged with `clock_timestamp()`.
 */
export function leaseStatements(names: PostgresNames): LeaseStatements {
  const { leases } = names;
  return {
    // The upsert takes the lease when there is none, when it expired, or when the same holder
    // asks again (re-entrant, new token). When it does not, the lease as it stands is returned in
    // the same round trip; a lease committed after this statement's snapshot is invisible to that
    // read, which yields no row at all, and the caller simply asks again.
    acquire: statement(`WITH taken AS (
        INSERT INTO ${leases} AS l (key, tenant, owner, task_id, holder, token, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, ${FROM_NOW('$7')})
        ON CONFLICT (key) DO UPDATE SET
          tenant = excluded.tenant, owner = excluded.owner, task_id = excluded.task_id,
          holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at
        WHERE l.expires_at <= clock_timestamp() OR l.holder = excluded.holder
        RETURNING l.key, l.tenant, l.owner, l.task_id, l.holder, l.token, l.expires_at
      )
      SELECT true AS acquired, key, tenant, owner, task_id, holder, token,
        ${EXPIRES_MS('expires_at')} AS expires_ms, true AS live
      FROM taken
      UNION ALL
      SELECT false, key, tenant, owner, task_id, holder, token,
        ${EXPIRES_MS('expires_at')}, expires_at > clock_timestamp()
      FROM ${leases}
      WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM taken)`),
    // An expired lease nobody has taken over yet is still the holder's to extend (core's
    // reference semantics). The row lock orders it against a concurrent sweep: whichever commits
    // first wins, and the other sees the new row (a new token, or an expiry in the future).
    renew: statement(`UPDATE ${leases} SET expires_at = ${FROM_NOW('$4')}
      WHERE key = $1 AND holder = $2 AND token = $3
      RETURNING key`),
    release: statement(`DELETE FROM ${leases} WHERE key = $1 AND holder = $2 AND token = $3`),
    read: statement(`SELECT key, tenant, owner, task_id, holder, token,
        ${EXPIRES_MS('expires_at')} AS expires_ms, expires_at > clock_timestamp() AS live
      FROM ${leases} WHERE key = $1`),
    // SKIP LOCKED hands each expired row to one sweeper; a row another sweeper took over and
    // committed meanwhile is re-checked on its new version (no longer expired) and dropped. The
    // CTE keeps the row as it was, so the caller learns the previous holder and token.
    claimExpired: statement(`WITH expired AS (
        SELECT key, holder, token, expires_at FROM ${leases}
        WHERE expires_at <= clock_timestamp()
        ORDER BY expires_at
        LIMIT $4
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${leases} AS l SET holder = $1, token = $2, expires_at = ${FROM_NOW('$3')}
      FROM expired AS e
      WHERE l.key = e.key
      RETURNING l.key, l.tenant, l.owner, l.task_id, e.holder, e.token,
        ${EXPIRES_MS('e.expires_at')} AS expires_ms, false AS live`),
  };
}
