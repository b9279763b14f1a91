import pg, { type Pool } from 'pg';
import type { PostgresConnection } from './options.js';

/** Defaults for a pool the adapter creates; anything in `poolConfig` wins. */
const OWNED_POOL_DEFAULTS = {
  // Without it, a call during an outage could wait forever for a connection.
  connectionTimeoutMillis: 10_000,
  keepAlive: true,
} as const;

/**
 * The user's pool (never ended by the adapter) or a pool made from a connection string, which
 * the adapter owns and ends on `close()`.
 */
export function openPool(
  connection: PostgresConnection,
  caller: string,
  defaults: Omit<pg.PoolConfig, 'connectionString'> = {},
): { pool: Pool; owned: boolean } {
  if (connection && 'pool' in connection && connection.pool) {
    return { pool: connection.pool, owned: false };
  }
  if (
    connection &&
    'connectionString' in connection &&
    typeof connection.connectionString === 'string'
  ) {
    const pool = new pg.Pool({
      ...OWNED_POOL_DEFAULTS,
      ...defaults,
      ...connection.poolConfig,
      connectionString: connection.connectionString,
    });
    // An idle connection that breaks (server restart) is dropped by the pool, which then emits
    // 'error'; unhandled, that event would crash the process. The next call reconnects, and
    // calls in flight report the failure themselves.
    pool.on('error', () => {});
    return { pool, owned: true };
  }
  throw new TypeError(`${caller} needs { pool } or { connectionString }`);
}
