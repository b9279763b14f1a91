export {
  createSqliteCoordination,
  type SqliteCoordinationOptions,
} from './coordination/create-sqlite-coordination.js';
export { createSqliteStores, type SqliteStoreBundle } from './create-sqlite-stores.js';
export { sqliteMigrationScript, sqliteMigrations } from './migrations.js';
export { DATABASE_FILE_MODE } from './open-database.js';
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_TABLE_PREFIX,
  type SqliteConnection,
  type SqliteDatabase,
  type SqliteStoreOptions,
} from './options.js';
