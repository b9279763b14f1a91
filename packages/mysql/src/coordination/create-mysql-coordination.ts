import {
  PollingCoordination,
  type PollingCoordinationOptions,
  resolvePollingOptions,
} from '@a2a-stores/core';
import type { Pool } from 'mysql2/promise';
import { createOwnedPool } from '../create-mysql-stores.js';
import { type MysqlConnectionOptions, tableNames } from '../options.js';
import { MysqlPollingPort } from './mysql-polling-port.js';

/** Options of {@link createMysqlCoordination}: the polling settings and the stores' prefix. */
export interface MysqlCoordinationOptions extends PollingCoordinationOptions {
  /** The stores' table prefix (default `'a2a_'`): coordination tables sit beside them. */
  readonly tablePrefix?: string;
}

/**
 * Multi-worker coordination on MySQL 8.0+ or MariaDB 10.6+, by polling: leases in
 * `<prefix>leases`, messages in `<prefix>messages`, both created by the stores' `migrate()`.
 * Give it the stores' pool (or a URI: it then creates and ends its own pool). A message reaches
 * other workers within `pollIntervalMs` (default 100) plus one read query; lease expiry is
 * judged on the database clock.
 *
 * @example
 * ```ts
 * import { createMysqlCoordination, createMysqlStores } from '@a2a-stores/mysql';
 * const stores = createMysqlStores({ uri: 'mysql://root@127.0.0.1:3306/test' });
 * await stores.migrate();
 * const coordination = createMysqlCoordination({ pool: stores.pool });
 * await coordination.close();
 * await stores.close();
 * ```
 */
export function createMysqlCoordination(
  connection: MysqlConnectionOptions,
  options: MysqlCoordinationOptions = {},
): PollingCoordination {
  const { tablePrefix, ...polling } = options;
  const tables = tableNames(tablePrefix);
  resolvePollingOptions(polling);
  let pool: Pool;
  if (connection?.pool) pool = connection.pool;
  else if (typeof connection?.uri === 'string' && connection.uri !== '') {
    pool = createOwnedPool(connection);
  } else throw new TypeError('createMysqlCoordination needs { pool } or { uri }');
  return new PollingCoordination(
    new MysqlPollingPort(pool, tables, pool !== connection.pool),
    polling,
  );
}
