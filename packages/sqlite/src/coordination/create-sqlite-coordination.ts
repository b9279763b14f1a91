import {
  PollingCoordination,
  type PollingCoordinationOptions,
  resolvePollingOptions,
} from '@a2a-stores/core';
import { openDatabaseFile } from '../open-database.js';
import { resolveSqliteOptions, type SqliteConnection } from '../options.js';
import { schemaNames } from '../sql.js';
import { SqlitePollingPort } from './sqlite-polling-port.js';

/** Options of {@link createSqliteCoordination}: the polling settings and the store's SQLite ones. */
export interface SqliteCoordinationOptions extends PollingCoordinationOptions {
  /** The stores' table prefix (default `'a2a_'`): coordination tables sit beside them. */
  readonly tablePrefix?: string;
  /** Lock wait of a connection opened from `filename`, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Multi-worker coordination for processes sharing one SQLite file, by polling: leases in
 * `<prefix>leases`, messages in `<prefix>messages`, both created by the stores' `migrate()`.
 * Pass the same `filename` (or a second connection on it) as the stores. A message reaches the
 * other processes within `pollIntervalMs` (default 100) plus one read. Lease expiry is judged
 * on the machine's wall clock; all processes on one file share it.
 *
 * @example
 * ```ts
 * import { createSqliteCoordination, createSqliteStores } from '@a2a-stores/sqlite';
 * const stores = createSqliteStores({ filename: './data/a2a.db' });
 * await stores.migrate();
 * const coordination = createSqliteCoordination({ filename: './data/a2a.db' });
 * await coordination.close();
 * await stores.close();
 * ```
 */
export function createSqliteCoordination(
  connection: SqliteConnection,
  options: SqliteCoordinationOptions = {},
): PollingCoordination {
  const { tablePrefix, busyTimeoutMs, ...polling } = options;
  const resolved = resolveSqliteOptions(connection, { tablePrefix, busyTimeoutMs });
  const names = schemaNames(resolved.tablePrefix);
  // Validated before the file is opened, so a bad setting opens nothing.
  resolvePollingOptions(polling);
  const target = resolved.connection;
  const db =
    target.kind === 'file'
      ? openDatabaseFile(target.filename, resolved.busyTimeoutMs)
      : target.database;
  return new PollingCoordination(new SqlitePollingPort(db, names, target.kind === 'file'), polling);
}
