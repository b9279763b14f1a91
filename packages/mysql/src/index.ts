export {
  createMysqlCoordination,
  type MysqlCoordinationOptions,
} from './coordination/create-mysql-coordination.js';
export {
  createMysqlStores,
  type MysqlBoundStores,
  type MysqlStores,
  SESSION_SQL_MODE,
} from './create-mysql-stores.js';
export { migrationLockName, mysqlMigrationScript, mysqlMigrations } from './migrations.js';
export { MigrationPrivilegeError } from './mysql-errors.js';
export {
  DEFAULT_TABLE_PREFIX,
  MAX_TABLE_PREFIX_LENGTH,
  type MysqlConnectionOptions,
  type MysqlPoolSource,
  type MysqlStoreOptions,
  type MysqlUriSource,
  type TableNames,
  tableNames,
} from './options.js';
export { MAX_WIRE_VERSION_LENGTH } from './push-backend.js';
