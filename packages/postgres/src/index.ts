export {
  createPostgresCoordination,
  type PostgresCoordination,
} from './coordination/create-postgres-coordination.js';
export type { PostgresCoordinationOptions } from './coordination/options.js';
export {
  createPostgresStores,
  type PostgresClientStores,
  type PostgresStoreBundle,
} from './create-postgres-stores.js';
export { postgresMigrationScript, postgresMigrations } from './migrations.js';
export {
  type PostgresConnection,
  type PostgresStoreOptions,
  resolvePostgresNames,
} from './options.js';
